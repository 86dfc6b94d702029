// KVStore inside workerd, over the KV namespace that miniflare provides: the shared store
// contract, then KV's limits one by one. The test side calls the store through the worker
// (remoteStore) and looks at what KV really holds through miniflare's getKVNamespace().
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { Miniflare } from 'miniflare'
import { generateSessionId } from '@fetch-session/core'
import { describeStore } from '@fetch-session/testing'
import { KV_LIMITS } from '../src/index.ts'
import type { KVNamespaceLike } from '../src/index.ts'
import { kvCalls, remoteStore, resetCalls, send, startWorker } from './support/workerd.ts'
import type { WorkerError } from './support/workerd.ts'

let mf: Miniflare
let kv: KVNamespaceLike & {
  get(key: string): Promise<string | null>
  put(key: string, value: string, options?: object): Promise<void>
  list(options: { prefix: string }): Promise<{ keys: Array<{ name: string; expiration?: number }> }>
}

beforeAll(async () => {
  mf = await startWorker()
  kv = (await mf.getKVNamespace('SESSIONS')) as unknown as typeof kv
})

afterAll(async () => {
  await mf?.dispose()
})

describeStore('KVStore inside workerd', () => remoteStore(mf))
describeStore('KVStore inside workerd, with prefix and cacheTtl', () =>
  remoteStore(mf, { prefix: 'tenant-7/sessions/', cacheTtl: 300 }),
)

const HOUR = 60 * 60 * 1000

async function failure(promise: Promise<unknown>): Promise<WorkerError['reported']> {
  const error = (await promise.then(
    () => expect.fail('expected the call to fail'),
    (error: unknown) => error,
  )) as WorkerError
  return error.reported
}

describe('KVStore inside workerd', () => {
  beforeEach(async () => {
    await resetCalls(mf)
  })

  it('keeps the exact expiry in metadata, with a KV expiration no earlier', async () => {
    const store = remoteStore(mf)
    const id = generateSessionId()
    const expiresAt = Date.now() + 2 * HOUR
    await store.set(id, 'record', expiresAt)
    const stored = await kv.getWithMetadata(`session:${id}`, { type: 'text' })
    expect(stored).toMatchObject({ value: 'record', metadata: { expiresAt } })
    const { keys } = await kv.list({ prefix: `session:${id}` })
    expect(keys).toHaveLength(1)
    expect(keys[0]!.expiration! * 1000).toBeGreaterThanOrEqual(expiresAt)
  })

  it('clamps a time to live under 60 s up to 60 s instead of failing the write', async () => {
    const store = remoteStore(mf)
    const id = generateSessionId()
    const before = Date.now()
    await store.set(id, 'short-lived', before + 1000)
    const [put] = await kvCalls(mf)
    expect(put).toMatchObject({ method: 'put', options: { expirationTtl: 60 } })
    const { keys } = await kv.list({ prefix: `session:${id}` })
    // KV counts whole seconds from its own clock, at or after `before`.
    expect(keys[0]!.expiration! * 1000).toBeGreaterThanOrEqual(before - 1000 + 60_000)
    // KV itself refuses anything shorter: the clamp is what keeps such writes from failing.
    await expect(kv.put(`raw:${id}`, 'x', { expirationTtl: 59 })).rejects.toThrow(/at least 60/)
  })

  it('refuses a record that KV still holds once its own expiry has passed', async () => {
    const store = remoteStore(mf)
    const id = generateSessionId()
    await store.set(id, 'short-lived', Date.now() + 300)
    expect(await store.get(id)).toBe('short-lived')
    await new Promise((resolve) => setTimeout(resolve, 500))
    expect(await store.get(id)).toBeNull()
    expect(await kv.get(`session:${id}`)).toBe('short-lived')
  })

  it('reads once and never writes on a read, whether found, expired or absent', async () => {
    const store = remoteStore(mf)
    const [found, expired, absent] = [generateSessionId(), generateSessionId(), generateSessionId()]
    await store.set(found, 'found', Date.now() + HOUR)
    await store.set(expired, 'expired', Date.now() + 200)
    await new Promise((resolve) => setTimeout(resolve, 400))
    await resetCalls(mf)
    expect(await store.get(found)).toBe('found')
    expect(await store.get(expired)).toBeNull()
    expect(await store.get(absent)).toBeNull()
    expect(await kvCalls(mf)).toEqual(
      [found, expired, absent].map((id) => ({
        method: 'getWithMetadata',
        key: `session:${id}`,
        options: { type: 'text' },
      })),
    )
  })

  it('refuses a value that a KVStore did not write (no expiry metadata)', async () => {
    const id = generateSessionId()
    await kv.put(`session:${id}`, '{"d":{"user":"planted"}}', { expirationTtl: 3600 })
    expect(await remoteStore(mf).get(id)).toBeNull()
  })

  it('keys records under its prefix, apart from other prefixes', async () => {
    const tenantA = remoteStore(mf, { prefix: 'tenant-a:' })
    const tenantB = remoteStore(mf, { prefix: 'tenant-b:' })
    const id = generateSessionId()
    await tenantA.set(id, 'of a', Date.now() + HOUR)
    expect(await kv.get(`tenant-a:${id}`)).toBe('of a')
    expect(await tenantB.get(id)).toBeNull()
    expect(await kv.list({ prefix: 'tenant-b:' })).toMatchObject({ keys: [] })
  })

  it('passes cacheTtl to KV reads, which accept it', async () => {
    const store = remoteStore(mf, { cacheTtl: 30 })
    const id = generateSessionId()
    await store.set(id, 'cached', Date.now() + HOUR)
    await resetCalls(mf)
    expect(await store.get(id)).toBe('cached')
    expect(await kvCalls(mf)).toEqual([
      { method: 'getWithMetadata', key: `session:${id}`, options: { type: 'text', cacheTtl: 30 } },
    ])
  })

  it('refuses a cacheTtl that KV would reject, when the store is made', async () => {
    const reported = await failure(remoteStore(mf, { cacheTtl: 10 }).get(generateSessionId()))
    expect(reported).toMatchObject({ name: 'SessionConfigError', code: 'SESSION_CONFIG_INVALID' })
    expect(await kvCalls(mf)).toEqual([])
  })

  it('accepts the longest prefix, for keys of exactly 512 bytes, and no longer', async () => {
    const prefix = 'p'.repeat(KV_LIMITS.keyBytes - 32)
    const store = remoteStore(mf, { prefix })
    const id = generateSessionId()
    await store.set(id, 'long key', Date.now() + HOUR)
    expect(await store.get(id)).toBe('long key')
    expect(await kv.get(prefix + id)).toBe('long key')
    const tooLong = await failure(remoteStore(mf, { prefix: prefix + 'p' }).get(id))
    expect(tooLong).toMatchObject({ name: 'SessionConfigError' })
    expect(tooLong.message).toMatch(/at most 480 bytes/)
  })

  it.each([
    ['an empty id', ''],
    ['a path into another prefix', '../../other-app:key'],
    ['an id one character too long', 'A'.repeat(33)],
  ])('never lets %s reach KV', async (_, id) => {
    const store = remoteStore(mf, { prefix: '' })
    await resetCalls(mf)
    expect(await store.get(id)).toBeNull()
    // One call at a time: a second rejection made before the first is awaited goes unhandled.
    for (const call of [
      () => store.set(id, 'planted', Date.now() + HOUR),
      () => store.delete(id),
    ]) {
      const reported = await failure(call())
      expect(reported).toMatchObject({
        name: 'TypeError',
        message: 'KVStore refuses an id that is not a session id',
      })
    }
    expect(await kvCalls(mf)).toEqual([])
  })

  it('refuses a value over 25 MiB before KV would, with a clear error', async () => {
    const store = remoteStore(mf)
    const id = generateSessionId()
    // Exactly the limit goes through, to KV and back.
    const largest = 'x'.repeat(KV_LIMITS.valueBytes)
    await store.set(id, largest, Date.now() + HOUR)
    expect((await store.get(id))?.length).toBe(KV_LIMITS.valueBytes)
    await resetCalls(mf)
    // Half as many characters, each two bytes in UTF-8, one byte too many.
    const reported = await failure(
      store.set(id, 'é'.repeat(KV_LIMITS.valueBytes / 2) + 'x', Date.now() + HOUR),
    )
    expect(reported).toMatchObject({
      name: 'KVLimitError',
      code: 'KV_LIMIT_EXCEEDED',
      limit: 'value',
      size: KV_LIMITS.valueBytes + 1,
      max: KV_LIMITS.valueBytes,
    })
    expect(await kvCalls(mf)).toEqual([])
    // The record stored before is untouched, and KV refuses the same size by itself.
    expect((await store.get(id))?.length).toBe(KV_LIMITS.valueBytes)
    const raw = (await (
      await send(mf, '/raw/put', {
        method: 'POST',
        body: JSON.stringify({ keyBytes: 8, valueBytes: KV_LIMITS.valueBytes + 1 }),
      })
    ).json()) as { ok: boolean; error: { message: string } }
    expect(raw).toMatchObject({ ok: false, error: { message: expect.stringMatching(/413|limit/) } })
  }, 30_000)

  it('reaches the application as a SessionStoreError that names no session', async () => {
    const response = await send(mf, `/big?bytes=${KV_LIMITS.valueBytes}`)
    const { error } = (await response.json()) as { error: WorkerError['reported'] }
    expect(error).toMatchObject({
      name: 'SessionStoreError',
      code: 'SESSION_STORE_FAILED',
      message: 'The session store failed to write a session',
      cause: { name: 'KVLimitError', limit: 'value', max: KV_LIMITS.valueBytes },
    })
    expect(error.cause!.message).toMatch(/^The value would be \d+ bytes, over the 26214400 bytes/)
    expect(JSON.stringify(error)).not.toMatch(/[A-Za-z0-9_-]{32}/)
    expect((await kvCalls(mf)).filter((call) => call.method !== 'getWithMetadata')).toEqual([])
  }, 30_000)
})
