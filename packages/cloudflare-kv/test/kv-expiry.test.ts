// KV's own expiry, on miniflare's clock: the records a KVStore writes vanish from KV when their
// time to live says so, which is never before the session's expiry and never under KV's 60 s.
//
// KV's clock is moved with the control operations miniflare uses in its own test suite
// (`_enableControlEndpoints`, then `enableFakeTimers` / `advanceFakeTime` sent to the namespace's
// internal object). They are not part of miniflare's published types, so this file is tied to
// the exact miniflare version in package.json. Once it has received a control operation, the
// namespace also lowers its value limit to 1 KiB; the records here stay small, and this file has
// its own Miniflare instance.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as miniflare from 'miniflare'
import type { Miniflare } from 'miniflare'
import { generateSessionId } from '@fetch-session/core'
import { remoteStore, startWorker } from './support/workerd.ts'

interface ControlledObjects {
  idFromName(name: string): unknown
  get(id: unknown): { fetch(url: string, init: object): Promise<{ json(): Promise<unknown> }> }
}

interface Internals {
  _enableControlEndpoints(): void
}

interface MiniflareInternals {
  _getInternalDurableObjectNamespace(
    plugin: string,
    service: string,
    className: string,
  ): Promise<ControlledObjects>
}

let mf: Miniflare
let kv: {
  get(key: string): Promise<string | null>
  list(options: { prefix: string }): Promise<{ keys: Array<{ name: string; expiration?: number }> }>
}
// Milliseconds since the epoch on KV's clock.
let kvNow: number
let control: (name: string, ...args: unknown[]) => Promise<unknown>

beforeAll(async () => {
  ;(miniflare as unknown as Internals)._enableControlEndpoints()
  mf = await startWorker()
  kv = (await mf.getKVNamespace('SESSIONS')) as unknown as typeof kv
  const objects = await (mf as unknown as MiniflareInternals)._getInternalDurableObjectNamespace(
    'kv',
    'kv:ns',
    'KVNamespaceObject',
  )
  // The namespace object of the SESSIONS binding is named after the namespace id, which
  // miniflare takes from the binding name when given a list of names.
  const stub = objects.get(objects.idFromName('SESSIONS'))
  control = async (name, ...args) => {
    const response = await stub.fetch('http://localhost/', {
      cf: { miniflare: { controlOp: { name, args } } },
    })
    return response.json()
  }
  kvNow = Date.now()
  await control('enableFakeTimers', kvNow)
})

afterAll(async () => {
  await mf?.dispose()
})

async function advanceTo(time: number): Promise<void> {
  await control('advanceFakeTime', time - kvNow)
  kvNow = time
}

async function expiration(key: string): Promise<number> {
  const { keys } = await kv.list({ prefix: key })
  expect(keys).toHaveLength(1)
  return keys[0]!.expiration! * 1000
}

describe("KVStore records on KV's clock", () => {
  it('outlive a short session until the 60 s minimum, then vanish', async () => {
    const store = remoteStore(mf)
    const id = generateSessionId()
    const key = `session:${id}`
    const writtenAt = kvNow
    await store.set(id, 'five seconds', Date.now() + 5000)
    const expiresInKV = await expiration(key)
    // At least 60 s from the second KV received the write in, as KV requires.
    expect(expiresInKV).toBeGreaterThanOrEqual(Math.floor(writtenAt / 1000) * 1000 + 60_000)

    await advanceTo(expiresInKV - 1000)
    expect(await kv.get(key)).toBe('five seconds')
    await advanceTo(expiresInKV)
    expect(await kv.get(key)).toBeNull()
    expect(await store.get(id)).toBeNull()
    expect((await kv.list({ prefix: key })).keys).toEqual([])
  })

  it('outlive a long session until its expiry, then vanish', async () => {
    const store = remoteStore(mf)
    const id = generateSessionId()
    const key = `session:${id}`
    // The worker computes the time to live on its own clock; KV, whose clock this file has moved
    // ahead, counts it from its own "now". Either way the record must last `lifetime`.
    const lifetime = 3 * 60 * 60 * 1000
    const writtenAt = kvNow
    await store.set(id, 'three hours', Date.now() + lifetime)
    const expiresInKV = await expiration(key)
    expect(expiresInKV).toBeGreaterThanOrEqual(writtenAt + lifetime)

    await advanceTo(writtenAt + lifetime)
    expect(await kv.get(key)).toBe('three hours')
    await advanceTo(expiresInKV)
    expect(await kv.get(key)).toBeNull()
    expect(await store.get(id)).toBeNull()
  })
})
