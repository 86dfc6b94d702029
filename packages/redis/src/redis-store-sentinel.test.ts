import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { generateSessionId } from '@fetch-session/core'
import type { SessionVersion } from '@fetch-session/core'
import { RedisStore } from './redis-store.ts'
import {
  CLIENT_KINDS,
  connectClient,
  connectThroughSentinel,
} from './test-support/redis-clients.ts'
import type { TestClient } from './test-support/redis-clients.ts'
import { skipRedis, startRedisServer, warnIfSkipped } from './test-support/redis-server.ts'
import type { RedisServer } from './test-support/redis-server.ts'

warnIfSkipped('RedisStore Sentinel tests')

const HOUR = 3_600_000
const SETTLED = { timeout: 20_000, interval: 100 }

describe.skipIf(skipRedis)('RedisStore through Sentinel', () => {
  let primary: RedisServer
  let replica: RedisServer
  let sentinel: RedisServer
  let watcher: TestClient
  let clients: TestClient[]

  beforeAll(async () => {
    primary = await startRedisServer()
    replica = await startRedisServer({ replicaOf: primary.port })
    sentinel = await startRedisServer({ sentinelOf: primary.port })
    watcher = await connectClient('redis 6', sentinel.port)
    // A failover needs a replica that the Sentinel knows of and that is in sync.
    await vi.waitFor(async () => {
      const replicas = (await watcher.command('SENTINEL', 'REPLICAS', 'mymaster')) as unknown[]
      expect(JSON.stringify(replicas)).toContain(`"${replica.port}"`)
      expect(JSON.stringify(replicas)).toMatch(/"master-link-status"[:,]"ok"/)
    }, SETTLED)
    clients = await Promise.all(
      CLIENT_KINDS.map((kind) => connectThroughSentinel(kind, sentinel.port)),
    )
  }, 30_000)

  afterAll(async () => {
    await Promise.all([watcher, ...(clients ?? [])].map((client) => client?.close()))
    for (const server of [sentinel, replica, primary]) await server?.stop()
  })

  it('follows a failover to the replica, keeping records, versions and user indexes', async () => {
    const stores = clients.map(({ client }) => new RedisStore({ client, timeout: 1000 }))
    const expiresAt = Date.now() + HOUR
    const ids = stores.map(() => generateSessionId())
    const versions: (SessionVersion | null)[] = []
    for (const [i, store] of stores.entries()) {
      versions.push(
        await store.write(ids[i]!, { record: `before ${i}`, expiresAt, userId: 'ada' }, null),
      )
    }
    // Every write reached the replica before the failover (a crash would not wait for that).
    const direct = await connectClient('redis 6', replica.port)
    try {
      await vi.waitFor(async () => {
        for (const id of ids) expect(await direct.command('EXISTS', `session:${id}`)).toBe(1)
      }, SETTLED)
    } finally {
      await direct.close()
    }

    await watcher.command('SENTINEL', 'FAILOVER', 'mymaster')
    await vi.waitFor(async () => {
      const address = await watcher.command('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', 'mymaster')
      expect(address).toEqual(['127.0.0.1', String(replica.port)])
    }, SETTLED)
    // Until Sentinel has turned the old primary into a replica, it still takes writes, which
    // the new primary never sees: wait for that, so that no write of the test is lost.
    const demoted = await connectClient('redis 6', primary.port)
    try {
      await vi.waitFor(async () => {
        expect(String(await demoted.command('INFO', 'replication'))).toContain('role:slave')
      }, SETTLED)
    } finally {
      await demoted.close()
    }

    for (const [i, store] of stores.entries()) {
      // Until the client has moved, writes fail (READONLY, or a timeout) and nothing is lost.
      const next = await vi.waitFor(
        () =>
          store.write(ids[i]!, { record: `after ${i}`, expiresAt, userId: 'ada' }, versions[i]!),
        SETTLED,
      )
      expect(next).not.toBeNull()
      expect(await store.read(ids[i]!)).toEqual({ record: `after ${i}`, version: next })
    }
    const listed = await stores[0]!.listByUser('ada')
    expect(listed.map(({ record }) => record).sort()).toEqual(stores.map((_, i) => `after ${i}`))
    // The writes went to the new primary.
    const promoted = await connectClient('redis 6', replica.port)
    try {
      expect(await promoted.command('HGET', `session:${ids[0]}`, 'r')).toBe('after 0')
      expect(String(await promoted.command('INFO', 'replication'))).toContain('role:master')
    } finally {
      await promoted.close()
    }
  }, 60_000)
})
