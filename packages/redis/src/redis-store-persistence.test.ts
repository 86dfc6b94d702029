import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { generateSessionId } from '@fetch-session/core'
import { RedisStore } from './redis-store.ts'
import { CLIENT_KINDS, connectClient } from './test-support/redis-clients.ts'
import type { TestClient } from './test-support/redis-clients.ts'
import { skipRedis, startRedisServer, warnIfSkipped } from './test-support/redis-server.ts'
import type { RedisServer } from './test-support/redis-server.ts'

warnIfSkipped('RedisStore persistence tests')

const HOUR = 3_600_000

describe.skipIf(skipRedis)('RedisStore on a server with appendonly yes', () => {
  let server: RedisServer
  let clients: TestClient[]
  beforeAll(async () => {
    server = await startRedisServer({ appendOnly: true })
    clients = await Promise.all(CLIENT_KINDS.map((kind) => connectClient(kind, server.port)))
  })
  afterAll(async () => {
    await Promise.all((clients ?? []).map((client) => client.close()))
    await server?.stop()
  })

  it('keeps records, versions, expiry times and user indexes through a crash', async () => {
    const stores = clients.map(({ client }) => new RedisStore({ client, timeout: 1000 }))
    const expiresAt = Date.now() + HOUR
    const [cart, member] = [generateSessionId(), generateSessionId()]
    const cartVersion = await stores[0]!.write(
      cart,
      { record: 'cart', expiresAt, userId: null },
      null,
    )
    const memberVersion = await stores[1]!.write(
      member,
      { record: 'member', expiresAt, userId: 'ada' },
      null,
    )

    await server.kill('SIGKILL')
    await server.restart()

    // Each client reconnects in its own time.
    for (const store of stores) {
      const read = await vi.waitFor(() => store.read(cart), { timeout: 15_000, interval: 50 })
      expect(read).toEqual({ record: 'cart', version: cartVersion })
      expect(await store.listByUser('ada')).toEqual([
        { id: member, record: 'member', version: memberVersion },
      ])
    }
    expect(await clients[0]!.command('PEXPIRETIME', `session:${member}`)).toBe(expiresAt)
    // The versions survived too: a compare-and-set against them still works.
    const next = { record: 'member, later', expiresAt, userId: 'ada' }
    expect(await stores[2]!.write(member, next, memberVersion)).not.toBeNull()
    expect(await stores[3]!.remove(cart, cartVersion!)).toBe(true)
  }, 30_000)
})
