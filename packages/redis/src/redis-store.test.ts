import { inspect } from 'node:util'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { SessionConfigError, generateSessionId } from '@fetch-session/core'
import type { SessionVersion, SessionWrite } from '@fetch-session/core'
import { Cluster, Redis } from 'ioredis'
import { createClient, createCluster } from 'redis'
import { RedisStore } from './redis-store.ts'
import { CLIENT_KINDS, connectClient } from './test-support/redis-clients.ts'
import type { TestClient } from './test-support/redis-clients.ts'
import { skipRedis, startRedisServer, warnIfSkipped } from './test-support/redis-server.ts'
import type { RedisServer } from './test-support/redis-server.ts'

// What is particular to RedisStore: its keys, expiry times, writes, errors and clients. The
// store contract itself is checked by the conformance suite, in redis-store-contract.test.ts.
warnIfSkipped('RedisStore tests')

const HOUR = 3_600_000

function session(record: string, userId: string | null = null, expiresAt = Date.now() + HOUR) {
  return { record, expiresAt, userId } satisfies SessionWrite
}

// Writes done on the server since it started: reads must leave the count unchanged.
async function changes(test: TestClient): Promise<number> {
  const info = String(await test.command('INFO', 'persistence'))
  return Number(/rdb_changes_since_last_save:(\d+)/.exec(info)![1])
}

describe.skipIf(skipRedis)('RedisStore', () => {
  let server: RedisServer
  beforeAll(async () => {
    server = await startRedisServer()
  })
  afterAll(() => server?.stop())

  describe.each(CLIENT_KINDS)('with %s', (kind) => {
    let test: TestClient
    let store: RedisStore
    beforeAll(async () => {
      test = await connectClient(kind, server.port)
      store = new RedisStore({ client: test.client })
    })
    afterAll(() => test?.close())

    describe('store.read()', () => {
      it('returns null for an unknown id and for what is not a session id', async () => {
        expect(await store.read(generateSessionId())).toBeNull()
        expect(await store.read('../../etc/passwd')).toBeNull()
      })

      it('writes nothing on the server', async () => {
        const id = generateSessionId()
        await store.write(id, session('{}', 'reader'), null)
        const before = await changes(test)
        await store.read(id)
        await store.read(generateSessionId())
        await store.listByUser('reader')
        expect(await changes(test)).toBe(before)
      })
    })

    describe('store.write()', () => {
      it('does not bring back a removed record, even when it is created again', async () => {
        const id = generateSessionId()
        const before = await store.write(id, session('before'), null)
        await store.remove(id)
        expect(await store.write(id, session('late'), before)).toBeNull()
        expect(await store.read(id)).toBeNull()
        const again = await store.write(id, session('again'), null)
        expect(again).not.toBe(before)
        expect(await store.write(id, session('late'), before)).toBeNull()
        expect(await store.read(id)).toEqual({ record: 'again', version: again })
      })

      it('expires the record at its absolute expiry time, in milliseconds', async () => {
        const id = generateSessionId()
        const expiresAt = Date.now() + 90_061_007
        await store.write(id, session('{}', null, expiresAt), null)
        expect(await test.command('PEXPIRETIME', `session:${id}`)).toBe(expiresAt)
      })

      it('leaves nothing of a record whose expiry has passed', async () => {
        const id = generateSessionId()
        const version = await store.write(id, session('{}'), null)
        await store.write(id, session('{}', 'late', Date.now() - 1), version)
        expect(await store.read(id)).toBeNull()
        expect(await store.listByUser('late')).toEqual([])
        expect(await test.command('EXISTS', `session:${id}`, 'session:user:late')).toBe(0)
      })

      it('refuses an id that is not a session id, and a malformed write', async () => {
        const id = generateSessionId()
        await expect(store.write('a:b', session('{}'), null)).rejects.toThrow(TypeError)
        await expect(store.write(id, session('{}', ''), null)).rejects.toThrow(TypeError)
        await expect(store.write(id, session('{}', null, NaN), null)).rejects.toThrow(TypeError)
        expect(await store.read(id)).toBeNull()
      })
    })

    describe('store.listByUser()', () => {
      it("deletes a user's index once the last record has left it", async () => {
        const [from, to] = [`from-${kind}`, `to-${kind}`]
        const id = generateSessionId()
        const first = await store.write(id, session('{}', from), null)
        const second = await store.write(id, session('{}', to), first)
        expect(await store.listByUser(from)).toEqual([])
        expect(await store.listByUser(to)).toEqual([{ id, record: '{}', version: second }])
        await store.write(id, session('{}'), second)
        expect(await store.listByUser(to)).toEqual([])
        expect(await test.command('EXISTS', `session:user:${from}`, `session:user:${to}`)).toBe(0)
      })

      it('never lists an expired record, and its entry expires with it', async () => {
        const user = `expiring-${kind}`
        const [soon, later] = [generateSessionId(), generateSessionId()]
        const laterExpiry = Date.now() + HOUR
        await store.write(soon, session('soon', user, Date.now() + 200), null)
        await store.write(later, session('later', user, laterExpiry), null)
        const index = `session:user:${user}`
        expect(await test.command('PEXPIRETIME', index)).toBe(laterExpiry)
        await vi.waitFor(async () => expect(await store.read(soon)).toBeNull(), { timeout: 5000 })
        // Listing writes nothing: the expired entry is still there, and not listed.
        expect(await test.command('ZSCORE', index, soon)).not.toBeNull()
        expect((await store.listByUser(user)).map(({ id }) => id)).toEqual([later])
        // The next write to the index trims it.
        await store.write(generateSessionId(), session('new', user), null)
        expect(await test.command('ZSCORE', index, soon)).toBeNull()
      })

      it("keeps the index until its latest session's expiry", async () => {
        const user = `index-expiry-${kind}`
        const [a, b] = [generateSessionId(), generateSessionId()]
        const [early, late] = [Date.now() + HOUR, Date.now() + 2 * HOUR]
        await store.write(a, session('a', user, late), null)
        await store.write(b, session('b', user, early), null)
        const index = `session:user:${user}`
        expect(await test.command('PEXPIRETIME', index)).toBe(late)
        await store.remove(a)
        expect(await test.command('PEXPIRETIME', index)).toBe(early)
      })
    })

    describe('errors', () => {
      it('name the operation and the Redis error, never the key or the id', async () => {
        const id = generateSessionId()
        // Something else wrote a string where the store keeps its hashes.
        await test.command('SET', `session:${id}`, 'not a hash')
        for (const call of [
          () => store.read(id),
          () => store.write(id, session('{}', 'someone'), null),
          () => store.remove(id),
        ]) {
          const error = await call().then(
            () => new Error('resolved'),
            (error: unknown) => error as Error,
          )
          expect(error.message).toMatch(/^RedisStore could not \w+ a session \(WRONGTYPE\)$/)
          expect(error).toMatchObject({ code: 'WRONGTYPE' })
          expect(inspect(error, { depth: 5 })).not.toContain(id)
          expect(inspect(error, { depth: 5 })).not.toContain('someone')
        }
      })
    })
  })

  describe('prefix', () => {
    let test: TestClient
    beforeAll(async () => {
      test = await connectClient('redis 6', server.port)
    })
    afterAll(() => test?.close())

    it('keeps the records and user indexes of two prefixes apart', async () => {
      const shop = new RedisStore({ client: test.client, prefix: 'shop:' })
      const blog = new RedisStore({ client: test.client, prefix: 'blog:' })
      const id = generateSessionId()
      const version = await shop.write(id, session('shop', 'ada'), null)
      expect(await blog.read(id)).toBeNull()
      expect(await blog.listByUser('ada')).toEqual([])
      expect(await blog.remove(id)).toBe(false)
      await blog.write(id, session('blog', 'ada'), null)
      expect(await shop.read(id)).toEqual({ record: 'shop', version })
      expect((await shop.listByUser('ada')).map(({ record }) => record)).toEqual(['shop'])
      expect(await test.command('KEYS', 'shop:*')).toEqual(
        expect.arrayContaining([`shop:${id}`, 'shop:user:ada']),
      )
      expect(shop.prefix).toBe('shop:')
    })
  })

  describe('concurrency', () => {
    let clients: TestClient[]
    beforeAll(async () => {
      clients = await Promise.all(CLIENT_KINDS.map((kind) => connectClient(kind, server.port)))
    })
    afterAll(() => Promise.all(clients.map((client) => client.close())))

    it('lands 20 concurrent compare-and-set loops on one record, through four clients', async () => {
      const stores = clients.map(({ client }) => new RedisStore({ client }))
      const id = generateSessionId()
      const start = await stores[0]!.write(id, session('0'), null)
      let conflicts = 0
      const increment = async (store: RedisStore) => {
        for (;;) {
          const current = (await store.read(id))!
          const next = String(Number(current.record) + 1)
          if ((await store.write(id, session(next), current.version)) !== null) return
          conflicts++
        }
      }
      await Promise.all(Array.from({ length: 20 }, (_, i) => increment(stores[i % 4]!)))
      const final = await stores[0]!.read(id)
      expect(final).toEqual({ record: '20', version: Number(start) + 20 })
      // The loops really ran together: most of them lost a round at least once.
      expect(conflicts).toBeGreaterThan(0)
    })

    it('indexes 20 sessions of one user created at once, and removes them at once', async () => {
      const stores = clients.map(({ client }) => new RedisStore({ client }))
      const ids = Array.from({ length: 20 }, () => generateSessionId())
      const versions = await Promise.all(
        ids.map((id, i) => stores[i % 4]!.write(id, session(String(i), 'crowd'), null)),
      )
      expect(versions.every((version: SessionVersion | null) => version !== null)).toBe(true)
      const listed = await stores[1]!.listByUser('crowd')
      expect(listed.map(({ id }) => id).sort()).toEqual([...ids].sort())
      const removed = await Promise.all(ids.map((id, i) => stores[i % 4]!.remove(id)))
      expect(removed).toEqual(ids.map(() => true))
      expect(await stores[2]!.listByUser('crowd')).toEqual([])
    })
  })
})

describe('new RedisStore()', () => {
  // None of these clients is connected: the constructor sends nothing.
  const client = new Redis({ lazyConnect: true })

  it('resolves its defaults', () => {
    expect(new RedisStore({ client })).toMatchObject({ prefix: 'session:', timeout: 5000 })
  })

  it('refuses a missing client, a bad prefix and a bad timeout', () => {
    expect(() => new RedisStore({} as never)).toThrow(SessionConfigError)
    expect(() => new RedisStore({ client: {} as never })).toThrow(/`client`/)
    expect(() => new RedisStore({ client, prefix: 1 as never })).toThrow(/`prefix`/)
    expect(() => new RedisStore({ client, timeout: 0 })).toThrow(/`timeout`/)
    expect(() => new RedisStore({ client, timeout: Infinity })).toThrow(/`timeout`/)
    // A longer timer would fire at once.
    expect(() => new RedisStore({ client, timeout: 2 ** 31 })).toThrow(/at most 2147483647/)
  })

  it("refuses a client's own keyPrefix", () => {
    for (const prefixed of [
      new Redis({ lazyConnect: true, keyPrefix: 'app:' }),
      createClient({ keyPrefix: 'app:' }),
    ]) {
      expect(() => new RedisStore({ client: prefixed })).toThrow(SessionConfigError)
      expect(() => new RedisStore({ client: prefixed })).toThrow(/keyPrefix/)
    }
  })

  it('refuses Redis Cluster clients', () => {
    for (const cluster of [
      new Cluster([{ host: '127.0.0.1', port: 7000 }], { lazyConnect: true }),
      createCluster({ rootNodes: [{ url: 'redis://127.0.0.1:7000' }] }),
    ]) {
      expect(() => new RedisStore({ client: cluster as never })).toThrow(/Cluster/)
    }
  })
})
