import { Redis } from 'ioredis'
import { Valkey } from 'iovalkey'
import { createClient, createSentinel } from 'redis'
import { createClient as createClient5, createSentinel as createSentinel5 } from 'redis5'
import type { RedisClient } from '../redis-client.ts'

/** The clients the store is tested with: node-redis 6 and 5, ioredis and iovalkey. */
export const CLIENT_KINDS = ['redis 6', 'redis 5', 'ioredis', 'iovalkey'] as const

/** One of `CLIENT_KINDS`. */
export type ClientKind = (typeof CLIENT_KINDS)[number]

/** A connected client, with what a test needs beside the store. */
export interface TestClient {
  /** The client, as an application gives it to `RedisStore`. */
  readonly client: RedisClient
  /** Sends a command outside the store, to look at or change what the server holds. */
  command(...args: string[]): Promise<unknown>
  /** Closes the connection at once, whether the server is up or not. */
  close(): Promise<void>
}

/** Options of `connectClient`. */
export interface ConnectOptions {
  /**
   * Whether commands given while disconnected wait for the connection to come back (each
   * client's default) or fail at once (node-redis `disableOfflineQueue: true`, ioredis and
   * iovalkey `enableOfflineQueue: false`). Default: true.
   */
  offlineQueue?: boolean
  /** node-redis only: its `commandOptions.timeout`, in milliseconds. Default: the client's. */
  commandTimeout?: number
}

/**
 * Connects a client of the given kind to a server on 127.0.0.1, with its default options.
 * @param kind the client library
 * @param port the server's port
 * @param options see `ConnectOptions`
 * @returns the connected client
 */
export async function connectClient(
  kind: ClientKind,
  port: number,
  options: ConnectOptions = {},
): Promise<TestClient> {
  const socket = { host: '127.0.0.1', port }
  const queue = options.offlineQueue ?? true
  const timeout = options.commandTimeout
  const commandOptions = timeout === undefined ? {} : { commandOptions: { timeout } }
  switch (kind) {
    case 'redis 6':
      return nodeRedis(createClient({ socket, disableOfflineQueue: !queue, ...commandOptions }))
    case 'redis 5':
      return nodeRedis(createClient5({ socket, disableOfflineQueue: !queue, ...commandOptions }))
    case 'ioredis':
      return ioRedis(new Redis({ ...socket, lazyConnect: true, enableOfflineQueue: queue }))
    case 'iovalkey':
      return ioRedis(new Valkey({ ...socket, lazyConnect: true, enableOfflineQueue: queue }))
  }
}

/**
 * Connects a client of the given kind to the primary that a Sentinel on 127.0.0.1 names
 * `mymaster`, with the options an application following failovers would give it.
 * @param kind the client library
 * @param sentinelPort the Sentinel's port
 * @returns the connected client
 */
export async function connectThroughSentinel(
  kind: ClientKind,
  sentinelPort: number,
): Promise<TestClient> {
  const sentinelRootNodes = [{ host: '127.0.0.1', port: sentinelPort }]
  const sentinel = { sentinels: sentinelRootNodes, name: 'mymaster', lazyConnect: true }
  switch (kind) {
    case 'redis 6':
      return nodeRedisSentinel(createSentinel({ name: 'mymaster', sentinelRootNodes }))
    case 'redis 5':
      return nodeRedisSentinel(createSentinel5({ name: 'mymaster', sentinelRootNodes }))
    case 'ioredis':
      return ioRedis(new Redis(sentinel))
    case 'iovalkey':
      return ioRedis(new Valkey(sentinel))
  }
}

interface NodeRedisSentinelLike {
  on(event: 'error', listener: () => void): unknown
  connect(): Promise<unknown>
  destroy(): Promise<void>
  sendCommand(isReadonly: boolean, args: string[]): Promise<unknown>
}

async function nodeRedisSentinel(client: NodeRedisSentinelLike): Promise<TestClient> {
  client.on('error', () => {})
  await client.connect()
  return {
    client: client as unknown as RedisClient,
    command: (...args) => client.sendCommand(false, args),
    close: () => client.destroy(),
  }
}

interface NodeRedisLike {
  on(event: 'error', listener: () => void): unknown
  connect(): Promise<unknown>
  destroy(): void
  readonly isOpen: boolean
  sendCommand(args: string[]): Promise<unknown>
}

async function nodeRedis(client: NodeRedisLike): Promise<TestClient> {
  // node-redis emits connection errors as events; an unheard one would end the process.
  client.on('error', () => {})
  await client.connect()
  return {
    client,
    command: (...args) => client.sendCommand(args),
    close: async () => {
      if (client.isOpen) client.destroy()
    },
  }
}

interface IoRedisLike {
  on(event: 'error', listener: () => void): unknown
  connect(): Promise<unknown>
  disconnect(): void
  call(command: string, args: string[]): Promise<unknown>
}

async function ioRedis(client: IoRedisLike): Promise<TestClient> {
  client.on('error', () => {})
  await client.connect()
  return {
    client,
    command: (name, ...args) => client.call(name!, args),
    close: async () => client.disconnect(),
  }
}
