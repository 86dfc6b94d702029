// What each store call costs in Durable Object requests (the unit Cloudflare bills, one per RPC
// call on a stub): the calls every object involved really received, as the README's cost table
// counts them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Miniflare } from 'miniflare'
import { generateSessionId } from '@fetch-session/core'
import { received, remoteStore, sessionObject, startWorker, userObject } from './support/workerd.ts'
import type { RemoteStore } from './support/workerd.ts'

const HOUR = 60 * 60 * 1000

let mf: Miniflare
let store: RemoteStore

beforeAll(async () => {
  mf = await startWorker()
  store = remoteStore(mf)
})

afterAll(async () => {
  await mf?.dispose()
})

describe('DurableObjectStore calls to objects', () => {
  it("cost one call to the session's object for a session bound to no user", async () => {
    const id = generateSessionId()
    const v1 = await store.write(
      id,
      { record: 'a', expiresAt: Date.now() + HOUR, userId: null },
      null,
    )
    await store.read(id)
    await store.write(id, { record: 'b', expiresAt: Date.now() + 2 * HOUR, userId: null }, v1)
    await store.remove(id)
    expect(await received(mf, sessionObject(id))).toEqual(['write', 'read', 'write', 'remove'])
  })

  it("add one call to the user's object only when a bound session outlives its index entry", async () => {
    const id = generateSessionId()
    const user = `calls-${generateSessionId()}`
    const expiresAt = Date.now() + HOUR
    const v1 = await store.write(id, { record: 'a', expiresAt, userId: user }, null)
    expect(await received(mf, userObject(user))).toEqual(['addToIndex'])
    // The same expiry, or an earlier one: the entry already covers it.
    const v2 = await store.write(id, { record: 'b', expiresAt, userId: user }, v1)
    await store.read(id)
    expect(await received(mf, userObject(user))).toEqual([])
    // A later expiry (a rolling session's refresh) extends the entry.
    await store.write(id, { record: 'c', expiresAt: expiresAt + HOUR, userId: user }, v2)
    expect(await received(mf, userObject(user))).toEqual(['addToIndex'])
    // A refused write changes nothing, and calls no one but the session's object.
    await store.write(id, { record: 'd', expiresAt: expiresAt + 2 * HOUR, userId: user }, v1)
    expect(await received(mf, userObject(user))).toEqual([])
    await store.remove(id)
    expect(await received(mf, userObject(user))).toEqual(['dropFromIndex'])
    expect(await received(mf, sessionObject(id))).toEqual([
      'write',
      'write',
      'read',
      'write',
      'write',
      'remove',
    ])
  })

  it("cost one call to the user's object and one to each listed session's for a listing", async () => {
    const user = `calls-${generateSessionId()}`
    const ids = [generateSessionId(), generateSessionId(), generateSessionId()]
    for (const id of ids) {
      await store.write(id, { record: id, expiresAt: Date.now() + HOUR, userId: user }, null)
    }
    await received(mf, userObject(user))
    for (const id of ids) await received(mf, sessionObject(id))

    expect(await store.listByUser(user)).toHaveLength(3)
    expect(await received(mf, userObject(user))).toEqual(['listIndex'])
    for (const id of ids) expect(await received(mf, sessionObject(id))).toEqual(['readForUser'])
  })
})
