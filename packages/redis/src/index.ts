export { RedisStore } from './redis-store.ts'
export type { RedisStoreOptions } from './redis-store.ts'
export type {
  IoRedisClient,
  NodeRedisClient,
  NodeRedisCommandOptions,
  NodeRedisSentinel,
  RedisClient,
} from './redis-client.ts'
