// The example Worker, bundled and run inside workerd through miniflare as `pnpm start` runs it,
// driven the way a browser would and checked against what KV really holds.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Miniflare } from 'miniflare'
import { startLocalWorker } from '../src/local.ts'
import type { SessionView } from '../src/worker.ts'

const SECRET = 'test-secret-0123456789-0123456789-0123456789'

let mf: Miniflare
let kv: { list(options: { prefix: string }): Promise<{ keys: Array<{ name: string }> }> }

beforeAll(async () => {
  mf = await startLocalWorker({ secret: SECRET })
  kv = (await mf.getKVNamespace('SESSIONS')) as unknown as typeof kv
})

afterAll(async () => {
  await mf?.dispose()
})

// A browser reduced to its one cookie.
class Browser {
  cookie: string | undefined

  constructor(readonly worker: () => Miniflare) {}

  async request(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers)
    if (this.cookie !== undefined) headers.set('cookie', `__Host-session=${this.cookie}`)
    const response = (await this.worker().dispatchFetch(new URL(path, 'http://localhost').href, {
      ...init,
      headers,
      redirect: 'manual',
    } as Parameters<Miniflare['dispatchFetch']>[1])) as unknown as Response
    const set = response.headers.get('set-cookie')
    if (set !== null) {
      const value = /^__Host-session=([^;]*)/.exec(set)![1]!
      this.cookie = /Max-Age=0/.test(set) ? undefined : value
    }
    return response
  }

  async post(path: string, form: Record<string, string> = {}): Promise<Response> {
    const response = await this.request(path, { method: 'POST', body: new URLSearchParams(form) })
    await response.arrayBuffer()
    return response
  }

  async state(): Promise<SessionView> {
    return (await this.request('/api/session')).json() as Promise<SessionView>
  }

  // The KV key of the session: the prefix and the id signed in the cookie.
  get key(): string {
    return `session:${this.cookie!.split('.')[0]}`
  }
}

async function keys(): Promise<string[]> {
  return (await kv.list({ prefix: 'session:' })).keys.map((key) => key.name)
}

describe('the example Worker', () => {
  it('answers /health without touching the session', async () => {
    const response = await new Browser(() => mf).request('/health')
    expect(await response.text()).toBe('ok')
    expect(response.headers.get('set-cookie')).toBeNull()
    expect(response.headers.get('vary')).toBeNull()
  })

  it('shows the page to a new visitor without creating a session', async () => {
    const before = await keys()
    const response = await new Browser(() => mf).request('/')
    expect(response.status).toBe(200)
    expect(await response.text()).toContain('Counter: <b id="count">0</b>')
    expect(response.headers.get('set-cookie')).toBeNull()
    expect(await keys()).toEqual(before)
  })

  it('counts, fills a cart with a flash message, and keeps it all in KV', async () => {
    const browser = new Browser(() => mf)
    const count = await browser.post('/count')
    expect(count.status).toBe(303)
    expect(count.headers.get('set-cookie')).toMatch(
      /^__Host-session=[^;]+; Max-Age=1209600; Path=\/; HttpOnly; Secure; SameSite=Lax$/,
    )
    expect(await keys()).toContain(browser.key)
    await browser.post('/count')
    await browser.post('/cart', { item: 'apple' })
    expect(await browser.state()).toEqual({
      user: null,
      count: 2,
      cart: ['apple'],
      message: 'Added apple to the cart',
    })
    await browser.post('/cart', { item: 'pear' })
    const page = await (await browser.request('/')).text()
    expect(page).toContain('Added pear to the cart')
    expect(page).toContain('Cart: apple, pear.')
    expect(await browser.state()).toMatchObject({ cart: ['apple', 'pear'], message: null })
  })

  it('moves the session to a new KV key at login and deletes it at logout', async () => {
    const browser = new Browser(() => mf)
    await browser.post('/cart', { item: 'apple' })
    const anonymous = browser.key
    await browser.post('/login', { name: 'ada' })
    const loggedIn = browser.key
    expect(loggedIn).not.toBe(anonymous)
    expect(await keys()).toContain(loggedIn)
    expect(await keys()).not.toContain(anonymous)
    expect(await browser.state()).toEqual({
      user: 'ada',
      count: 0,
      cart: ['apple'],
      message: 'Welcome, ada',
    })

    const logout = await browser.post('/logout')
    expect(logout.headers.get('set-cookie')).toMatch(/^__Host-session=; Max-Age=0;/)
    expect(browser.cookie).toBeUndefined()
    expect(await keys()).not.toContain(loggedIn)
    expect(await browser.state()).toEqual({ user: null, count: 0, cart: [], message: null })
  })

  it('escapes what visitors type into the page', async () => {
    const browser = new Browser(() => mf)
    await browser.post('/login', { name: '<script>x</script>' })
    const page = await (await browser.request('/')).text()
    expect(page).not.toContain('<script>x</script>')
    expect(page).toContain('&lt;script&gt;x&lt;/script&gt;')
  })

  it('refuses an empty or overlong field without creating a session', async () => {
    const browser = new Browser(() => mf)
    expect((await browser.post('/login', { name: ' ' })).status).toBe(400)
    expect((await browser.post('/cart', { item: 'x'.repeat(41) })).status).toBe(400)
    expect(browser.cookie).toBeUndefined()
  })
})

describe('KV data kept in a folder', () => {
  it('keeps sessions across a restart of the Worker', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'fetch-session-kv-'))
    try {
      let worker = await startLocalWorker({ secret: SECRET, kvPersist: folder })
      const browser = new Browser(() => worker)
      try {
        await browser.post('/login', { name: 'grace' })
      } finally {
        await worker.dispose()
      }
      worker = await startLocalWorker({ secret: SECRET, kvPersist: folder })
      try {
        expect(await browser.state()).toMatchObject({ user: 'grace' })
      } finally {
        await worker.dispose()
      }
    } finally {
      await rm(folder, { recursive: true, force: true })
    }
  })
})
