// The example's Durable Object Worker, bundled and run inside workerd through miniflare as
// `pnpm start durable-object` runs it, driven the way browsers would, with requests in flight
// together, and checked against what the session objects hold.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Miniflare } from 'miniflare'
import { startLocalWorker } from '../src/local.ts'
import type { DeviceView, SessionView } from '../src/durable-object-worker.ts'
import { Browser } from './browser.ts'

const SECRET = 'test-secret-0123456789-0123456789-0123456789'

let mf: Miniflare

beforeAll(async () => {
  mf = await startLocalWorker({ secret: SECRET, variant: 'durable-object' })
})

afterAll(async () => {
  await mf?.dispose()
})

// What a session's object holds, read through the object's own RPC method from this side.
async function stored(id: string): Promise<{ record: string } | null> {
  const namespace = (await mf.getDurableObjectNamespace('SESSIONS')) as unknown as {
    idFromName(name: string): unknown
    get(id: unknown): { read(id: string): Promise<unknown> }
  }
  const result = await namespace.get(namespace.idFromName(`session:${id}`)).read(id)
  return JSON.parse(JSON.stringify(result) ?? 'null') as { record: string } | null
}

async function devices(browser: Browser): Promise<DeviceView[]> {
  return (await browser.request('/api/devices')).json() as Promise<DeviceView[]>
}

let users = 0
const newUser = () => `user${++users}${Math.random().toString(36).slice(2, 8)}`

describe('the Durable Object Worker', () => {
  it('answers /health without touching the session, and creates none for a visitor', async () => {
    const browser = new Browser(() => mf)
    const health = await browser.request('/health')
    expect(await health.text()).toBe('ok')
    expect(health.headers.get('set-cookie')).toBeNull()
    const page = await browser.request('/')
    expect(await page.text()).toContain('<h1>Sessions in Durable Objects</h1>')
    expect(page.headers.get('set-cookie')).toBeNull()
  })

  it('lands every one of 20 parallel counts of one browser', async () => {
    const browser = new Browser(() => mf)
    await browser.post('/count')
    expect(await stored(browser.id)).not.toBeNull()
    const responses = await Promise.all(Array.from({ length: 20 }, () => browser.post('/count')))
    expect(responses.map((response) => response.status)).toEqual(Array(20).fill(303))
    expect(await browser.state<SessionView>()).toMatchObject({ count: 21 })
  })

  it('keeps the cart and flash messages, and binds the session to the user at login', async () => {
    const browser = new Browser(() => mf)
    await browser.post('/cart', { item: 'apple' })
    const anonymous = browser.id
    const user = newUser()
    await browser.post('/login', { name: user })
    expect(browser.id).not.toBe(anonymous)
    expect(await stored(anonymous)).toBeNull()
    expect(await browser.state<SessionView>()).toEqual({
      user,
      count: 0,
      cart: ['apple'],
      message: `Welcome, ${user}`,
    })
  })

  it("lists the user's sessions and signs out every other one at once", async () => {
    const user = newUser()
    const [phone, laptop, tablet] = [
      new Browser(() => mf),
      new Browser(() => mf),
      new Browser(() => mf),
    ]
    for (const browser of [phone, laptop, tablet]) await browser.post('/login', { name: user })
    const listed = await devices(phone)
    expect(listed).toHaveLength(3)
    expect(listed.filter((device) => device.current)).toHaveLength(1)
    expect(await (await phone.request('/')).text()).toContain('<a href="/devices">')
    const page = await (await phone.request('/devices')).text()
    expect(page).toContain('(this browser)')
    expect(page.match(/action="\/devices\/end"/g)).toHaveLength(2)
    expect(page).toContain('Sign out everywhere else')

    const [laptopId, tabletId] = [laptop.id, tablet.id]
    const signedOut = await phone.post('/logout-others')
    expect(signedOut.headers.get('location')).toBe('/devices')
    expect(await phone.state<SessionView>()).toMatchObject({
      user,
      message: 'Signed out 2 other sessions',
    })
    expect(await stored(laptopId)).toBeNull()
    expect(await stored(tabletId)).toBeNull()
    expect(await laptop.state<SessionView>()).toMatchObject({ user: null })
    expect(await tablet.state<SessionView>()).toMatchObject({ user: null })
    expect(await devices(phone)).toEqual([expect.objectContaining({ current: true })])
  })

  it('signs out one other session by its handle', async () => {
    const user = newUser()
    const [phone, laptop] = [new Browser(() => mf), new Browser(() => mf)]
    await phone.post('/login', { name: user })
    await laptop.post('/login', { name: user })
    const other = (await devices(phone)).find((device) => !device.current)!
    expect((await phone.post('/devices/end', { handle: other.handle })).status).toBe(303)
    expect(await laptop.state<SessionView>()).toMatchObject({ user: null })
    expect(await devices(phone)).toHaveLength(1)
    expect((await phone.post('/devices/end', { handle: 'not-a-handle-of-anyone' })).status).toBe(
      303,
    )
    expect(await phone.state<SessionView>()).toMatchObject({ message: 'That session had ended' })
  })

  it('makes logout final: the old cookie is worth nothing and the object holds nothing', async () => {
    const browser = new Browser(() => mf)
    await browser.post('/login', { name: newUser() })
    const [cookie, id] = [browser.cookie, browser.id]
    const logout = await browser.post('/logout')
    expect(logout.headers.get('set-cookie')).toMatch(/^__Host-session=; Max-Age=0;/)
    expect(await stored(id)).toBeNull()
    const thief = new Browser(() => mf)
    thief.cookie = cookie
    expect(await thief.state<SessionView>()).toEqual({
      user: null,
      count: 0,
      cart: [],
      message: null,
    })
  })
})

describe('Durable Object data kept in a folder', () => {
  it('keeps sessions and their index across a restart of the Worker', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'fetch-session-do-'))
    const start = () =>
      startLocalWorker({ secret: SECRET, variant: 'durable-object', persist: folder })
    try {
      let worker = await start()
      const browser = new Browser(() => worker)
      try {
        await browser.post('/login', { name: 'grace' })
        await browser.post('/count')
      } finally {
        await worker.dispose()
      }
      worker = await start()
      try {
        expect(await browser.state<SessionView>()).toMatchObject({ user: 'grace', count: 1 })
        expect(await devices(browser)).toEqual([expect.objectContaining({ current: true })])
      } finally {
        await worker.dispose()
      }
    } finally {
      await rm(folder, { recursive: true, force: true })
    }
  })
})
