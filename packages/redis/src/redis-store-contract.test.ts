import { afterAll, beforeAll, describe } from 'vitest'
import { describeStore } from '@fetch-session/testing'
import { RedisStore } from './redis-store.ts'
import { CLIENT_KINDS, connectClient } from './test-support/redis-clients.ts'
import type { TestClient } from './test-support/redis-clients.ts'
import { skipRedis, startRedisServer, warnIfSkipped } from './test-support/redis-server.ts'
import type { RedisServer } from './test-support/redis-server.ts'

warnIfSkipped('RedisStore conformance suite')

describe.skipIf(skipRedis)('RedisStore, the store conformance suite', () => {
  let server: RedisServer
  const clients = new Map<string, TestClient>()
  beforeAll(async () => {
    server = await startRedisServer()
    for (const kind of CLIENT_KINDS) clients.set(kind, await connectClient(kind, server.port))
  })
  afterAll(async () => {
    await Promise.all([...clients.values()].map((client) => client.close()))
    await server?.stop()
  })

  for (const kind of CLIENT_KINDS) {
    describeStore(
      `RedisStore with ${kind}`,
      () => new RedisStore({ client: clients.get(kind)!.client }),
      {
        versioned: true,
        userIndex: true,
      },
    )
  }
})
