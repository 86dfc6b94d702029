// The example Worker, bundled and run inside workerd through miniflare as `pnpm start` runs it,
// driven the way a browser would and checked against what KV really holds.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Miniflare } from 'miniflare'
import { startLocalWorker } from '../src/local.ts'
import type { SessionView } from '../src/worker.ts'
import { Browser } from './browser.ts'

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

// The KV key of a browser's session: the prefix and the id signed in its cookie.
const key = (browser: Browser) => `session:${browser.id}`

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
    expect(await keys()).toContain(key(browser))
    await browser.post('/count')
    await browser.post('/cart', { item: 'apple' })
    expect(await browser.state<SessionView>()).toEqual({
      user: null,
      count: 2,
      cart: ['apple'],
      message: 'Added apple to the cart',
    })
    await browser.post('/cart', { item: 'pear' })
    const page = await (await browser.request('/')).text()
    expect(page).toContain('Added pear to the cart')
    expect(page).toContain('Cart: apple, pear.')
    expect(await browser.state<SessionView>()).toMatchObject({
      cart: ['apple', 'pear'],
      message: null,
    })
  })

  it('moves the session to a new KV key at login and deletes it at logout', async () => {
    const browser = new Browser(() => mf)
    await browser.post('/cart', { item: 'apple' })
    const anonymous = key(browser)
    await browser.post('/login', { name: 'ada' })
    const loggedIn = key(browser)
    expect(loggedIn).not.toBe(anonymous)
    expect(await keys()).toContain(loggedIn)
    expect(await keys()).not.toContain(anonymous)
    expect(await browser.state<SessionView>()).toEqual({
      user: 'ada',
      count: 0,
      cart: ['apple'],
      message: 'Welcome, ada',
    })

    const logout = await browser.post('/logout')
    expect(logout.headers.get('set-cookie')).toMatch(/^__Host-session=; Max-Age=0;/)
    expect(browser.cookie).toBeUndefined()
    expect(await keys()).not.toContain(loggedIn)
    expect(await browser.state<SessionView>()).toEqual({
      user: null,
      count: 0,
      cart: [],
      message: null,
    })
  })

  it('lists no sessions of a user, which KV cannot index', async () => {
    const browser = new Browser(() => mf)
    await browser.post('/login', { name: 'ada' })
    expect((await browser.request('/api/devices')).status).toBe(404)
    expect((await browser.request('/devices')).status).toBe(404)
    expect(await (await browser.request('/')).text()).not.toContain('Your sessions')
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
      let worker = await startLocalWorker({ secret: SECRET, persist: folder })
      const browser = new Browser(() => worker)
      try {
        await browser.post('/login', { name: 'grace' })
      } finally {
        await worker.dispose()
      }
      worker = await startLocalWorker({ secret: SECRET, persist: folder })
      try {
        expect(await browser.state<SessionView>()).toMatchObject({ user: 'grace' })
      } finally {
        await worker.dispose()
      }
    } finally {
      await rm(folder, { recursive: true, force: true })
    }
  })
})
