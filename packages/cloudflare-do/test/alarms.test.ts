// Expiry by Durable Object alarms, on workerd's real clock: what each object stores is deleted
// when it expires, without any request to it, so storage does not grow without end.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Miniflare } from 'miniflare'
import { generateSessionId } from '@fetch-session/core'
import {
  eventually,
  inspect,
  remoteStore,
  sessionObject,
  startWorker,
  userObject,
} from './support/workerd.ts'
import type { RemoteStore } from './support/workerd.ts'

const HOUR = 60 * 60 * 1000
const EMPTY = { entries: {}, alarm: null }

let mf: Miniflare
let store: RemoteStore

beforeAll(async () => {
  mf = await startWorker()
  store = remoteStore(mf)
})

afterAll(async () => {
  await mf?.dispose()
})

const empty = (name: string) => async () =>
  JSON.stringify(await inspect(mf, name)) === JSON.stringify(EMPTY)

describe('SessionDurableObject alarms', () => {
  it("delete an expired session from its object, and its entry from the user's index", async () => {
    const id = generateSessionId()
    const user = `alarm-${generateSessionId()}`
    const expiresAt = Date.now() + 1500
    await store.write(id, { record: 'brief', expiresAt, userId: user }, null)
    const stored = await inspect(mf, sessionObject(id))
    expect(stored.alarm).toBe(expiresAt)
    expect(stored.entries['session']).toMatchObject({
      id,
      record: 'brief',
      expiresAt,
      userId: user,
    })
    expect(await inspect(mf, userObject(user))).toEqual({
      entries: { [`index:${id}`]: expiresAt },
      alarm: expiresAt,
    })

    // No request reaches either object from here on but these looks at their storage.
    await eventually(empty(sessionObject(id)))
    await eventually(empty(userObject(user)))
    expect(await store.read(id)).toBeNull()
    expect(await store.listByUser(user)).toEqual([])
  })

  it('keep an extended session until its new expiry, setting the alarm again', async () => {
    const id = generateSessionId()
    const first = Date.now() + 1000
    const version = await store.write(id, { record: 'v1', expiresAt: first, userId: null }, null)
    const later = Date.now() + 3000
    await store.write(id, { record: 'v2', expiresAt: later, userId: null }, version)
    // An extension leaves the alarm where it was: it goes off, finds the session live, and
    // moves itself to the new expiry.
    expect((await inspect(mf, sessionObject(id))).alarm).toBe(first)
    await eventually(async () => (await inspect(mf, sessionObject(id))).alarm === later)
    expect(await store.read(id)).toMatchObject({ record: 'v2' })
    await eventually(empty(sessionObject(id)))
    expect(await store.read(id)).toBeNull()
  })

  it('move the alarm forward for a shortened session', async () => {
    const id = generateSessionId()
    const version = await store.write(
      id,
      { record: 'long', expiresAt: Date.now() + HOUR, userId: null },
      null,
    )
    const soon = Date.now() + 1000
    await store.write(id, { record: 'short', expiresAt: soon, userId: null }, version)
    expect((await inspect(mf, sessionObject(id))).alarm).toBe(soon)
    await eventually(empty(sessionObject(id)))
  })

  it("drop a user's expired entries one by one and keep the live ones", async () => {
    const user = `alarm-${generateSessionId()}`
    const [brief, lasting] = [generateSessionId(), generateSessionId()]
    const briefEnd = Date.now() + 1000
    const lastingEnd = Date.now() + HOUR
    await store.write(lasting, { record: 'lasting', expiresAt: lastingEnd, userId: user }, null)
    await store.write(brief, { record: 'brief', expiresAt: briefEnd, userId: user }, null)
    // The user's alarm is set for its earliest entry.
    expect((await inspect(mf, userObject(user))).alarm).toBe(briefEnd)

    await eventually(async () => (await inspect(mf, userObject(user))).alarm === lastingEnd)
    expect(await inspect(mf, userObject(user))).toEqual({
      entries: { [`index:${lasting}`]: lastingEnd },
      alarm: lastingEnd,
    })
    expect(await inspect(mf, sessionObject(brief))).toEqual(EMPTY)
    expect((await store.listByUser(user)).map((entry) => entry.id)).toEqual([lasting])
  })

  it('leave nothing behind, alarm included, once a session is removed', async () => {
    const id = generateSessionId()
    const user = `alarm-${generateSessionId()}`
    await store.write(id, { record: 'x', expiresAt: Date.now() + HOUR, userId: user }, null)
    expect((await inspect(mf, sessionObject(id))).alarm).not.toBeNull()
    expect(await store.remove(id)).toBe(true)
    expect(await inspect(mf, sessionObject(id))).toEqual(EMPTY)
    expect(await inspect(mf, userObject(user))).toEqual(EMPTY)
  })
})
