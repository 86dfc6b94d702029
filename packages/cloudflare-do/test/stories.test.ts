// Behaviour and concurrency stories: an application using createSessions over a
// DurableObjectStore through sessions.wrap, inside workerd, driven by browser-like clients whose
// requests are really in flight together, and checked against what the objects store.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Miniflare } from 'miniflare'
import type { TestClient } from '@fetch-session/testing'
import type { StoryState } from './fixtures/stories-app.ts'
import {
  browser,
  eventually,
  inspect,
  send,
  sessionObject,
  startTwoWorkers,
  startWorker,
  userObject,
} from './support/workerd.ts'

const EMPTY = { entries: {}, alarm: null }

let mf: Miniflare

beforeAll(async () => {
  mf = await startWorker()
})

afterAll(async () => {
  await mf?.dispose()
})

let users = 0
const newUser = () => `story-${++users}-${Math.random().toString(36).slice(2)}`

async function state(client: TestClient, mount = 'app'): Promise<StoryState> {
  return (await client.get(`/${mount}/read`)).json() as Promise<StoryState>
}

// The session id the client's cookie carries, signed: `<id>.<signature>`.
function sessionId(client: TestClient): string {
  return client.cookie('session')!.split('.')[0]!
}

async function login(client: TestClient, user: string, device: string, mount = 'app') {
  const response = await client.post(`/${mount}/login?user=${user}&device=${device}`)
  expect(response.status).toBe(200)
}

describe('session.update()', () => {
  it('lands all 20 parallel increments of one browser', async () => {
    const client = browser(mf)
    await client.post('/app/count')
    const responses = await Promise.all(Array.from({ length: 20 }, () => client.post('/app/count')))
    expect(responses.map((response) => response.status)).toEqual(Array(20).fill(200))
    expect(await state(client)).toMatchObject({ count: 21, isNew: false })
  })

  it('lands all 20 increments sent in parallel through two Workers in isolates of their own', async () => {
    const two = await startTwoWorkers()
    try {
      const first = browser(two.first)
      await first.post('/app/count')
      const second = browser(two.second)
      second.setCookie(`session=${first.cookie('session')}; Path=/`)
      const responses = await Promise.all(
        Array.from({ length: 20 }, (_, n) => (n % 2 === 0 ? first : second).post('/app/count')),
      )
      expect(responses.map((response) => response.status)).toEqual(Array(20).fill(200))
      expect(await state(first)).toMatchObject({ count: 21 })
      expect(await state(second)).toMatchObject({ count: 21 })
    } finally {
      await two.mf.dispose()
    }
  })
})

describe('session.login()', () => {
  it('moves the session to a new id bound to the user, leaving nothing under the old one', async () => {
    const client = browser(mf)
    const user = newUser()
    await client.post('/app/count')
    const anonymous = sessionId(client)
    await login(client, user, 'phone')
    const bound = sessionId(client)
    expect(bound).not.toBe(anonymous)
    expect(await state(client)).toEqual({ count: 1, user, device: 'phone', isNew: false })
    expect(await inspect(mf, sessionObject(anonymous))).toEqual(EMPTY)
    expect((await inspect(mf, sessionObject(bound))).entries['session']).toMatchObject({
      userId: user,
    })
    expect(Object.keys((await inspect(mf, userObject(user))).entries)).toEqual([`index:${bound}`])
  })
})

describe('session.destroy()', () => {
  it('is final: requests in flight do not bring the session back, and its cookie is worthless', async () => {
    const client = browser(mf)
    const user = newUser()
    await login(client, user, 'phone')
    await client.post('/app/count')
    const cookie = client.cookie('session')!
    const id = sessionId(client)
    const latch = `destroy-${id}`

    // A change and a read-only request whose expiry refresh is due, both loaded before logout.
    const change = client.post(`/app/slow-count?latch=${latch}-change`)
    const refresh = client.get(`/touchy/slow-read?latch=${latch}-refresh`)
    for (const key of [`${latch}-change`, `${latch}-refresh`]) {
      await eventually(
        async () =>
          ((await (await send(mf, `/latch/${key}`)).json()) as { loaded: boolean }).loaded,
      )
    }
    const logout = await client.post('/app/logout')
    expect(logout.headers.get('set-cookie')).toMatch(/^session=; Max-Age=0;/)
    expect(await inspect(mf, sessionObject(id))).toEqual(EMPTY)
    expect(await inspect(mf, userObject(user))).toEqual(EMPTY)

    for (const key of [`${latch}-change`, `${latch}-refresh`]) {
      await send(mf, `/latch/${key}/release`, { method: 'POST' })
    }
    for (const late of await Promise.all([change, refresh])) {
      expect(late.status).toBe(200)
      // The session stays ended: the late response expires the cookie instead of renewing it.
      expect(late.headers.get('set-cookie')).toMatch(/^session=; Max-Age=0;/)
    }
    expect(await inspect(mf, sessionObject(id))).toEqual(EMPTY)
    expect(await inspect(mf, userObject(user))).toEqual(EMPTY)

    const thief = browser(mf)
    thief.setCookie(`session=${cookie}; Path=/`)
    expect(await state(thief)).toEqual({ count: null, user: null, device: null, isNew: true })
  })
})

describe('sessions.endSessions()', () => {
  it("ends the user's other devices, which get fresh sessions on their next request", async () => {
    const user = newUser()
    const [phone, laptop, tablet] = [browser(mf), browser(mf), browser(mf)]
    await login(phone, user, 'phone')
    await login(laptop, user, 'laptop')
    await login(tablet, user, 'tablet')
    const someoneElse = browser(mf)
    await login(someoneElse, newUser(), 'desktop')

    const devices = (await (await phone.get('/app/devices')).json()) as Array<{
      device: string
      current: boolean
    }>
    expect(
      devices
        .map(({ device, current }) => ({ device, current }))
        .sort((a, b) => a.device.localeCompare(b.device)),
    ).toEqual([
      { device: 'laptop', current: false },
      { device: 'phone', current: true },
      { device: 'tablet', current: false },
    ])

    const ended = [sessionId(laptop), sessionId(tablet)]
    expect(await (await phone.post('/app/logout-others')).json()).toEqual({ ended: 2 })
    for (const id of ended) expect(await inspect(mf, sessionObject(id))).toEqual(EMPTY)
    expect(await state(laptop)).toEqual({ count: null, user: null, device: null, isNew: true })
    expect(await state(tablet)).toEqual({ count: null, user: null, device: null, isNew: true })
    expect(await state(phone)).toMatchObject({ user, device: 'phone', isNew: false })
    expect(await state(someoneElse)).toMatchObject({ device: 'desktop', isNew: false })
    expect(await (await phone.get('/app/devices')).json()).toEqual([
      { handle: expect.any(String), device: 'phone', current: true },
    ])

    expect(await (await phone.post('/app/logout-all')).json()).toEqual({ ended: 1 })
    expect(await state(phone)).toMatchObject({ user: null, isNew: true })
    expect(await inspect(mf, userObject(user))).toEqual(EMPTY)
  })

  it('ends sessions while their browsers are sending requests, none of which revives one', async () => {
    const user = newUser()
    const devices = Array.from({ length: 4 }, () => browser(mf))
    for (const [n, device] of devices.entries()) await login(device, user, `device ${n}`)
    const admin = browser(mf)
    await login(admin, user, 'admin')

    // Each device keeps counting while the admin signs every other session out.
    const traffic = devices.map(async (device) => {
      for (let n = 0; n < 5; n++) await device.post('/app/count')
    })
    const ended = (await (await admin.post('/app/logout-others')).json()) as { ended: number }
    await Promise.all(traffic)
    expect(ended.ended).toBe(4)
    // A device whose count landed after the end counts in a fresh, anonymous session: none is
    // still signed in, and the admin is the user's only session.
    for (const device of devices) expect(await state(device)).toMatchObject({ user: null })
    expect(await (await admin.get('/app/devices')).json()).toEqual([
      { handle: expect.any(String), device: 'admin', current: true },
    ])
  })
})

describe('sessions.endSession()', () => {
  it('ends the one session its handle names', async () => {
    const user = newUser()
    const [phone, laptop] = [browser(mf), browser(mf)]
    await login(phone, user, 'phone')
    await login(laptop, user, 'laptop')
    const devices = (await (await phone.get('/app/devices')).json()) as Array<{
      handle: string
      device: string
    }>
    const handle = devices.find((entry) => entry.device === 'laptop')!.handle
    expect(await (await phone.post(`/app/end?handle=${handle}`)).json()).toEqual({ ended: true })
    expect(await (await phone.post(`/app/end?handle=${handle}`)).json()).toEqual({ ended: false })
    expect(await state(laptop)).toMatchObject({ user: null, isNew: true })
    expect(await state(phone)).toMatchObject({ user, isNew: false })
  })
})

describe('idleTimeout', () => {
  it('ends an idle session, whose objects delete it by alarm without any request', async () => {
    const client = browser(mf)
    const user = newUser()
    await login(client, user, 'phone', 'short')
    const id = sessionId(client)
    expect(await inspect(mf, sessionObject(id))).not.toEqual(EMPTY)
    // Only looks at the objects' storage: a request of the browser would extend its session.
    await eventually(
      async () => JSON.stringify(await inspect(mf, sessionObject(id))) === JSON.stringify(EMPTY),
    )
    await eventually(
      async () => JSON.stringify(await inspect(mf, userObject(user))) === JSON.stringify(EMPTY),
    )
    expect(await state(client, 'short')).toEqual({
      count: null,
      user: null,
      device: null,
      isNew: true,
    })
  })
})
