import { describe, expect, expectTypeOf, it } from 'vitest'
import type { VersionedSessionStore } from '@fetch-session/core'
import type { Redis } from 'ioredis'
import type { Valkey } from 'iovalkey'
import type { createClient, createSentinel } from 'redis'
import type { createClient as createClient5, createSentinel as createSentinel5 } from 'redis5'
import * as redis from './index.ts'
import type { RedisClient } from './index.ts'

describe('@fetch-session/redis exports', () => {
  it('has exactly the public API', () => {
    expect(Object.keys(redis).sort()).toMatchInlineSnapshot(`
      [
        "RedisStore",
      ]
    `)
  })
})

describe('types', () => {
  it('takes the clients of node-redis 6 and 5 (one server or Sentinel), ioredis and iovalkey', () => {
    // Types only: nothing here makes a client, or a connection.
    expectTypeOf<ReturnType<typeof createClient>>().toExtend<RedisClient>()
    expectTypeOf<ReturnType<typeof createClient<{}, {}, {}, 2>>>().toExtend<RedisClient>()
    expectTypeOf<ReturnType<typeof createClient5>>().toExtend<RedisClient>()
    expectTypeOf<ReturnType<typeof createSentinel>>().toExtend<RedisClient>()
    expectTypeOf<ReturnType<typeof createSentinel5>>().toExtend<RedisClient>()
    expectTypeOf<Redis>().toExtend<RedisClient>()
    expectTypeOf<Valkey>().toExtend<RedisClient>()
    expectTypeOf<redis.RedisStore>().toExtend<VersionedSessionStore>()
    expectTypeOf<redis.RedisStore['listByUser']>().toBeFunction()
  })
})
