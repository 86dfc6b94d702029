// KVStore's own arithmetic and checks, in Node against a recording namespace with a fixed clock.
// The store is tested where it runs, in workerd over a real KV namespace, in test/*.test.ts.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { SessionConfigError, generateSessionId } from '@fetch-session/core'
import { KVLimitError, KVStore, KV_LIMITS } from './index.ts'
import { RATE_LIMIT_RETRY_MS } from './kv-store.ts'
import type { KVNamespaceLike, KVRecordMetadata } from './index.ts'
import { checkLimit, utf8Length } from './kv-limits.ts'

const NOW = Date.UTC(2026, 2, 17, 12, 0, 0)

interface Entry {
  value: string
  metadata: KVRecordMetadata
  expirationTtl: number
}

// Records calls and keeps values in a Map; it knows nothing of expiry, so whatever the store
// refuses, it refuses by itself.
function recordingNamespace() {
  const entries = new Map<string, Entry>()
  const calls: Array<[string, ...unknown[]]> = []
  const namespace: KVNamespaceLike = {
    async getWithMetadata(key, options) {
      calls.push(['getWithMetadata', key, options])
      const entry = entries.get(key)
      return { value: entry?.value ?? null, metadata: entry?.metadata ?? null }
    },
    async put(key, value, options) {
      calls.push(['put', key, options])
      entries.set(key, { value, ...options })
    },
    async delete(key) {
      calls.push(['delete', key])
      entries.delete(key)
    },
  }
  return { namespace, entries, calls }
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'] })
  vi.setSystemTime(NOW)
})

afterEach(() => {
  vi.useRealTimers()
})

describe('new KVStore()', () => {
  it('defaults to the "session:" prefix and KV\'s own cacheTtl', () => {
    const store = new KVStore(recordingNamespace().namespace)
    expect(store.prefix).toBe('session:')
    expect(store.cacheTtl).toBeUndefined()
  })

  it.each([
    ['undefined', undefined],
    ['null', null],
    ['an object without getWithMetadata', { put() {}, delete() {} }],
    ['an object without put', { getWithMetadata() {}, delete() {} }],
    ['an object without delete', { getWithMetadata() {}, put() {} }],
  ])('refuses %s as the namespace', (_, namespace) => {
    expect(() => new KVStore(namespace as unknown as KVNamespaceLike)).toThrow(SessionConfigError)
    expect(() => new KVStore(namespace as unknown as KVNamespaceLike)).toThrow(/KV namespace/)
  })

  it('accepts a prefix that leaves room for a session id within 512 bytes, and no longer', () => {
    const { namespace } = recordingNamespace()
    expect(new KVStore(namespace, { prefix: '' }).prefix).toBe('')
    expect(new KVStore(namespace, { prefix: 'p'.repeat(480) }).prefix).toHaveLength(480)
    expect(() => new KVStore(namespace, { prefix: 'p'.repeat(481) })).toThrow(SessionConfigError)
    // 160 three-byte characters are 480 bytes; one more is too many.
    expect(() => new KVStore(namespace, { prefix: '€'.repeat(160) })).not.toThrow()
    expect(() => new KVStore(namespace, { prefix: '€'.repeat(161) })).toThrow(/at most 480 bytes/)
    expect(() => new KVStore(namespace, { prefix: 42 as unknown as string })).toThrow(
      SessionConfigError,
    )
  })

  it.each([29, 0, -60, 30.5, Number.NaN, Infinity])('refuses a cacheTtl of %s', (cacheTtl) => {
    const { namespace } = recordingNamespace()
    expect(() => new KVStore(namespace, { cacheTtl })).toThrow(/`cacheTtl` must be an integer/)
  })
})

describe('kvStore.set()', () => {
  it.each([
    ['1 ms', 1, 60],
    ['30 s', 30_000, 60],
    ['58.5 s', 58_500, 60],
    ['59 s', 59_000, 60],
    ['59.001 s', 59_001, 61],
    ['one hour', 3_600_000, 3601],
    ['one hour and 1 ms', 3_600_001, 3602],
    ['two weeks', 1_209_600_000, 1_209_601],
  ])(
    'gives a record expiring in %s a KV time to live of %i s, never under 60',
    async (_, ahead, expirationTtl) => {
      const { namespace, calls } = recordingNamespace()
      const store = new KVStore(namespace)
      const id = generateSessionId()
      await store.set(id, 'record', NOW + ahead)
      expect(calls).toEqual([
        ['put', `session:${id}`, { expirationTtl, metadata: { expiresAt: NOW + ahead } }],
      ])
      // KV counts from its own second: the record outlives its expiry, however late in the
      // second KV receives it.
      expect((Math.floor(NOW / 1000) + expirationTtl) * 1000).toBeGreaterThan(NOW + ahead)
    },
  )

  it('deletes instead of writing a record whose expiry has passed', async () => {
    const { namespace, calls, entries } = recordingNamespace()
    const store = new KVStore(namespace)
    const id = generateSessionId()
    await store.set(id, 'alive', NOW + 60_000)
    await store.set(id, 'dead', NOW)
    expect(calls.map(([method]) => method)).toEqual(['put', 'delete'])
    expect(entries.size).toBe(0)
  })

  it.each([Number.NaN, Infinity, '1' as unknown as number])(
    'refuses an expiresAt of %s without calling KV',
    async (expiresAt) => {
      const { namespace, calls } = recordingNamespace()
      const store = new KVStore(namespace)
      await expect(store.set(generateSessionId(), 'x', expiresAt)).rejects.toThrow(RangeError)
      expect(calls).toEqual([])
    },
  )

  it('refuses a value over 25 MiB, counted in UTF-8 bytes, without calling KV', async () => {
    const { namespace, calls } = recordingNamespace()
    const store = new KVStore(namespace)
    const id = generateSessionId()
    await store.set(id, 'x'.repeat(KV_LIMITS.valueBytes), NOW + 60_000)
    expect(calls).toHaveLength(1)
    // Fewer characters than the limit, but two bytes each.
    const text = 'é'.repeat(KV_LIMITS.valueBytes / 2 + 1)
    const error = await store.set(id, text, NOW + 60_000).catch((error: unknown) => error)
    expect(error).toBeInstanceOf(KVLimitError)
    expect(error).toMatchObject({
      code: 'KV_LIMIT_EXCEEDED',
      limit: 'value',
      size: KV_LIMITS.valueBytes + 2,
      max: KV_LIMITS.valueBytes,
    })
    expect((error as Error).message).toBe(
      'The value would be 26214402 bytes, over the 26214400 bytes Workers KV accepts; ' +
        'store less in the session',
    )
    expect(calls).toHaveLength(1)
  })

  it('keeps a key of exactly 512 bytes: the longest prefix and a session id', async () => {
    const { namespace, entries } = recordingNamespace()
    const store = new KVStore(namespace, { prefix: 'p'.repeat(480) })
    const id = generateSessionId()
    await store.set(id, 'x', NOW + 60_000)
    expect([...entries.keys()]).toEqual(['p'.repeat(480) + id])
  })
})

// Ids that must never become a KV key: KVStore checks them itself rather than trusting that
// only the core calls it.
const NOT_IDS = [
  ['an empty id', ''],
  ['a path into another prefix', '../../other-app:key'],
  ['an id one character too long', 'A'.repeat(33)],
  ['an id one character short', 'A'.repeat(31)],
  ['an id with a slash', 'A'.repeat(31) + '/'],
  ['an id with a colon', 'A'.repeat(31) + ':'],
  ['an id with a non-ASCII character', 'A'.repeat(31) + 'é'],
  ['a number', 42 as unknown as string],
] as const

describe('KVStore with an id that is not a session id', () => {
  it.each(NOT_IDS)('reads %s as absent, without calling KV', async (_, id) => {
    const { namespace, calls } = recordingNamespace()
    expect(await new KVStore(namespace, { prefix: '' }).get(id)).toBeNull()
    expect(calls).toEqual([])
  })

  it.each(NOT_IDS)('refuses to write or delete %s, naming no id', async (_, id) => {
    const { namespace, calls } = recordingNamespace()
    const store = new KVStore(namespace, { prefix: '' })
    for (const call of [store.set(id, 'x', NOW + 60_000), store.delete(id)]) {
      const error = await call.catch((error: unknown) => error)
      expect(error).toBeInstanceOf(TypeError)
      expect((error as Error).message).toBe('KVStore refuses an id that is not a session id')
    }
    expect(calls).toEqual([])
  })
})

describe('kvStore.get()', () => {
  it('reads once, with type text and the configured cacheTtl, and never writes', async () => {
    const { namespace, calls } = recordingNamespace()
    const id = generateSessionId()
    await new KVStore(namespace).set(id, 'record', NOW + 60_000)
    calls.length = 0
    expect(await new KVStore(namespace).get(id)).toBe('record')
    expect(await new KVStore(namespace, { cacheTtl: 300 }).get(id)).toBe('record')
    expect(calls).toEqual([
      ['getWithMetadata', `session:${id}`, { type: 'text' }],
      ['getWithMetadata', `session:${id}`, { type: 'text', cacheTtl: 300 }],
    ])
  })

  it('refuses a record KV still holds once the expiry in its metadata has come', async () => {
    const { namespace, calls, entries } = recordingNamespace()
    const store = new KVStore(namespace)
    const id = generateSessionId()
    await store.set(id, 'record', NOW + 800)
    vi.setSystemTime(NOW + 799)
    expect(await store.get(id)).toBe('record')
    vi.setSystemTime(NOW + 800)
    expect(await store.get(id)).toBeNull()
    // No write on a read: KV's time to live removes it.
    expect(calls.map(([method]) => method)).toEqual(['put', 'getWithMetadata', 'getWithMetadata'])
    expect(entries.size).toBe(1)
  })

  it.each([
    ['no metadata', null],
    ['metadata without expiresAt', { other: 1 }],
    ['a non-numeric expiresAt', { expiresAt: '9999999999999' }],
  ])('refuses a value with %s, which no KVStore wrote', async (_, metadata) => {
    const { namespace, entries } = recordingNamespace()
    const id = generateSessionId()
    entries.set(`session:${id}`, {
      value: 'foreign',
      metadata: metadata as unknown as KVRecordMetadata,
      expirationTtl: 60,
    })
    expect(await new KVStore(namespace).get(id)).toBeNull()
  })

  it('keeps stores with different prefixes apart', async () => {
    const { namespace } = recordingNamespace()
    const a = new KVStore(namespace, { prefix: 'a:' })
    const b = new KVStore(namespace, { prefix: 'b:' })
    const id = generateSessionId()
    await a.set(id, 'of a', NOW + 60_000)
    expect(await b.get(id)).toBeNull()
    expect(await a.get(id)).toBe('of a')
  })
})

describe('utf8Length', () => {
  it.each([
    ['', 0],
    ['ascii', 5],
    ['é', 2],
    ['€', 3],
    ['🛒', 4],
    ['a🛒é€', 10],
    ['\ud800', 3], // a lone high surrogate is written as U+FFFD
    ['\udc00x', 4], // so is a lone low one
    ['\ud800\ud800\udc00', 7],
  ])('counts %j as %i bytes, as TextEncoder does', (text, bytes) => {
    expect(utf8Length(text)).toBe(bytes)
    expect(new TextEncoder().encode(text)).toHaveLength(bytes)
  })
})

describe('checkLimit', () => {
  it('passes a text of exactly the limit and refuses one byte more', () => {
    expect(() => checkLimit('metadata', 'm'.repeat(1024), 1024)).not.toThrow()
    expect(() => checkLimit('metadata', 'm'.repeat(1025), 1024)).toThrow(
      new KVLimitError('metadata', 1025, 1024),
    )
    expect(() => checkLimit('metadata', 'é'.repeat(513), 1024)).toThrow(/1026 bytes/)
  })
})

describe('KVStore writes refused as too frequent', () => {
  // KV answers a second write to one key within a second with a 429; miniflare does not
  // enforce the limit, so the binding's refusal is played here.
  function limitedNamespace(refusals: number) {
    const { namespace, calls } = recordingNamespace()
    let left = refusals
    const limited: KVNamespaceLike = {
      ...namespace,
      async put(key, value, options) {
        if (left-- > 0) throw new Error('KV PUT failed: 429 Too Many Requests')
        return namespace.put(key, value, options)
      },
      async delete(key) {
        if (left-- > 0) throw new Error('KV DELETE failed: 429 Too Many Requests')
        return namespace.delete(key)
      },
    }
    return { namespace: limited, calls }
  }

  it('retries a write once, a second later', async () => {
    vi.useFakeTimers({ toFake: ['Date', 'setTimeout'] })
    vi.setSystemTime(NOW)
    const { namespace, calls } = limitedNamespace(1)
    const store = new KVStore(namespace)
    const id = generateSessionId()
    const written = store.set(id, 'record', NOW + 3600_000)
    await vi.advanceTimersByTimeAsync(RATE_LIMIT_RETRY_MS)
    await written
    expect(calls.map(([method]) => method)).toEqual(['put'])
    expect(await store.get(id)).toBe('record')
  })

  it('retries a delete once, and gives up after a second refusal', async () => {
    vi.useFakeTimers({ toFake: ['Date', 'setTimeout'] })
    vi.setSystemTime(NOW)
    const once = limitedNamespace(1)
    const deleted = new KVStore(once.namespace).delete(generateSessionId())
    await vi.advanceTimersByTimeAsync(RATE_LIMIT_RETRY_MS)
    await expect(deleted).resolves.toBeUndefined()
    const twice = limitedNamespace(2)
    const failed = new KVStore(twice.namespace).set(generateSessionId(), 'r', NOW + 3600_000)
    const outcome = expect(failed).rejects.toThrow(/429/)
    await vi.advanceTimersByTimeAsync(RATE_LIMIT_RETRY_MS)
    await outcome
  })

  it('does not retry other failures', async () => {
    const { namespace } = recordingNamespace()
    let puts = 0
    const store = new KVStore({
      ...namespace,
      async put() {
        puts++
        throw new Error('KV PUT failed: 500 Internal Server Error')
      },
    })
    await expect(store.set(generateSessionId(), 'r', NOW + 3600_000)).rejects.toThrow(/500/)
    expect(puts).toBe(1)
  })
})
