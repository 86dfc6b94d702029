import { inspect } from 'node:util'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { generateSessionId } from '@fetch-session/core'
import { RedisStore } from './redis-store.ts'
import { LIST, REMOVE, WRITE } from './redis-scripts.ts'
import { CLIENT_KINDS, connectClient } from './test-support/redis-clients.ts'
import type { TestClient } from './test-support/redis-clients.ts'
import { skipRedis, startRedisServer, warnIfSkipped } from './test-support/redis-server.ts'
import type { RedisServer } from './test-support/redis-server.ts'

warnIfSkipped('RedisStore fault tests')

const HOUR = 3_600_000
// Short, so that the tests wait little for the operations that must fail.
const TIMEOUT = 400
// Reconnecting after a restart takes the clients' backoff: up to 2 s (node-redis, iovalkey)
// or 5 s (ioredis) between attempts.
const RECONNECTED = { timeout: 15_000, interval: 50 }

function session(record: string, userId: string | null = null) {
  return { record, expiresAt: Date.now() + HOUR, userId }
}

async function failure(promise: Promise<unknown>): Promise<Error> {
  return promise.then(
    () => {
      throw new Error('the operation succeeded')
    },
    (error: unknown) => error as Error,
  )
}

describe.skipIf(skipRedis)('RedisStore when the server fails', () => {
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
      store = new RedisStore({ client: test.client, timeout: TIMEOUT })
    })
    afterAll(() => test?.close())

    it('sends its scripts again after SCRIPT FLUSH, and goes on', async () => {
      const id = generateSessionId()
      const version = await store.write(id, session('before', 'flushed'), null)
      await test.command('SCRIPT', 'FLUSH')
      expect(await test.command('SCRIPT', 'EXISTS', WRITE.sha, REMOVE.sha, LIST.sha)).toEqual([
        0, 0, 0,
      ])
      const next = await store.write(id, session('after', 'flushed'), version)
      expect(await store.listByUser('flushed')).toEqual([{ id, record: 'after', version: next }])
      expect(await store.remove(id, next!)).toBe(true)
      expect(await test.command('SCRIPT', 'EXISTS', WRITE.sha, REMOVE.sha, LIST.sha)).toEqual([
        1, 1, 1,
      ])
    })

    it('fails within its timeout while the server does not answer, then answers again', async () => {
      const id = generateSessionId()
      const version = await store.write(id, session('before'), null)
      server.pause()
      try {
        const error = await failure(store.read(id))
        expect(error.message).toBe('RedisStore could not read a session (TIMEOUT)')
        expect(error).toMatchObject({ code: 'TIMEOUT' })
        expect(await failure(store.write(id, session('unanswered'), version))).toMatchObject({
          code: 'TIMEOUT',
        })
      } finally {
        server.resume()
      }
      // A command sent before the deadline cannot be called back: the server runs it late.
      const late = await store.read(id)
      expect(late?.record).toBe('unanswered')
      expect(late?.version).not.toBe(version)
    })

    it('fails while the server is down, and works after it restarted, scripts sent again', async () => {
      const id = generateSessionId()
      await store.write(id, session('{}', 'user-of-the-crash'), null)
      await server.kill()
      try {
        for (const call of [
          () => store.read(id),
          () => store.write(id, session('{}', 'user-of-the-crash'), null),
          () => store.remove(id),
          () => store.listByUser('user-of-the-crash'),
        ]) {
          const error = await failure(call())
          expect(error.message).toMatch(/^RedisStore could not [\w ']+ \(\w+\)$/)
          expect(inspect(error, { depth: 5 })).not.toMatch(/user-of-the-crash|session:/)
          expect(inspect(error, { depth: 5 })).not.toContain(id)
        }
      } finally {
        await server.restart()
      }
      // The server kept nothing and forgot the scripts: a write sends them again.
      const again = generateSessionId()
      const version = await vi.waitFor(
        () => store.write(again, session('again'), null),
        RECONNECTED,
      )
      expect(await store.read(again)).toEqual({ record: 'again', version })
      expect(await test.command('SCRIPT', 'EXISTS', WRITE.sha)).toEqual([1])
    }, 30_000)

    it('fails at once while the server is down when the offline queue is off', async () => {
      const direct = await connectClient(kind, server.port, { offlineQueue: false })
      // A deadline that the test would not outlive: the failure comes from the client.
      const failFast = new RedisStore({ client: direct.client, timeout: 600_000 })
      const id = generateSessionId()
      try {
        await failFast.write(id, session('{}'), null)
        await server.kill()
        await failure(failFast.read(id))
        const error = await failure(failFast.write(id, session('{}'), null))
        expect(error.message).toMatch(/^RedisStore could not write a session \(\w+\)$/)
        expect(error).not.toMatchObject({ code: 'TIMEOUT' })
      } finally {
        await server.restart()
        await direct.close()
      }
    }, 30_000)

    // node-redis is given the operation's AbortSignal; ioredis and iovalkey have no way to
    // withdraw a command, and send their offline queue once connected again.
    const withdraws = kind === 'redis 6' || kind === 'redis 5'
    it(`${withdraws ? 'never sends' : 'sends late'} a write that timed out while the server was down`, async () => {
      const id = generateSessionId()
      await server.kill()
      try {
        // The first command may be on the wire when the socket closes; once the client has
        // seen the close, commands wait in its offline queue.
        await failure(store.read(id))
        const error = await failure(store.write(id, session('late'), null))
        expect(error).toMatchObject({ code: 'TIMEOUT' })
      } finally {
        await server.restart()
      }
      // A read is a plain HMGET, sent after the write if the write is still queued.
      await vi.waitFor(() => store.read(id), RECONNECTED)
      const stats = String(await test.command('INFO', 'commandstats'))
      expect(stats).toContain('cmdstat_hmget:')
      // Sent late, the write met a server that no longer knew the script (NOSCRIPT), and the
      // store, past its deadline, did not send the script again.
      expect(stats.includes('cmdstat_evalsha:')).toBe(!withdraws)
      expect(await store.read(id)).toBeNull()
    }, 30_000)

    // node-redis fails a command still queued past its own `commandOptions.timeout`; the
    // store's commands are bounded by the store's deadline instead.
    it.runIf(withdraws)(
      "bounds its commands by its own timeout, not the client's",
      async () => {
        const short = await connectClient(kind, server.port, { commandTimeout: 50 })
        const bounded = new RedisStore({ client: short.client, timeout: TIMEOUT })
        try {
          await bounded.read(generateSessionId())
          await server.kill()
          // Once the client has seen the close, its own commands fail at its timeout.
          await vi.waitFor(async () => {
            const error = await failure(short.command('PING'))
            expect(error.constructor.name).toBe('TimeoutError')
          }, RECONNECTED)
          const error = await failure(bounded.read(generateSessionId()))
          expect(error).toMatchObject({ code: 'TIMEOUT' })
        } finally {
          await server.restart()
          await short.close()
        }
      },
      30_000,
    )
  })
})
