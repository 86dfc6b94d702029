/**
 * The one method of a node-redis client (`redis` 5 or later, `createClient()`) that `RedisStore`
 * calls. A connected client is used as it is.
 * @see https://github.com/redis/node-redis/blob/master/docs/v4-to-v5.md
 */
export interface NodeRedisClient {
  /**
   * Sends one command.
   * @param args the command and its arguments
   * @param options see `NodeRedisCommandOptions`
   * @returns the reply
   */
  sendCommand(args: string[], options?: NodeRedisCommandOptions): Promise<unknown>
}

/** The options the store gives node-redis with a command. */
export interface NodeRedisCommandOptions {
  /** Withdraws the command while it still waits to be sent. */
  abortSignal?: AbortSignal
  /** node-redis's own deadline for the command (5 s by default in node-redis 6): `0`, off. */
  timeout?: number
}

/**
 * The one method of an ioredis or iovalkey client (`new Redis()`, `new Valkey()`) that
 * `RedisStore` calls. A client is used as it is, without its `keyPrefix` option (the store's
 * `prefix` does that job). A `Cluster` is not supported.
 */
export interface IoRedisClient {
  /**
   * Sends one command.
   * @param command the command's name
   * @param args its arguments
   * @returns the reply
   */
  call(command: string, args: string[]): Promise<unknown>
}

/**
 * The methods of a node-redis Sentinel client (`createSentinel()` from `redis` 5 or later) that
 * `RedisStore` calls; it sends every command to the current primary.
 */
export interface NodeRedisSentinel {
  /**
   * Sends one command.
   * @param isReadonly whether it may go to a replica: never, for the store
   * @param args the command and its arguments
   * @param options as for `NodeRedisClient`
   * @returns the reply
   */
  sendCommand(
    isReadonly: boolean | undefined,
    args: string[],
    options?: NodeRedisCommandOptions,
  ): Promise<unknown>
  /** Tells a Sentinel client from a client of one server. */
  getSentinelNode(): unknown
}

/**
 * A client `RedisStore` can talk to: node-redis, ioredis or iovalkey, connected to one server,
 * or following a primary through Sentinel.
 */
export type RedisClient = NodeRedisClient | NodeRedisSentinel | IoRedisClient

/** Sends one command through whichever kind of client was given. */
export type SendCommand = (args: string[], signal?: AbortSignal) => Promise<unknown>

/**
 * Tells the two kinds of client apart once, at construction.
 * @param client the client given to the store
 * @returns how to send a command through it, or `null` when it has neither method
 */
export function commandSender(client: RedisClient): SendCommand | null {
  const candidate = client as
    { call?: unknown; sendCommand?: unknown; getSentinelNode?: unknown } | null | undefined
  // ioredis also has a `sendCommand`, taking a Command object: look for its `call` first.
  if (typeof candidate?.call === 'function') {
    const io = client as IoRedisClient
    return (args) => io.call(args[0]!, args.slice(1))
  }
  // The store's own deadline bounds each command; node-redis's (its `commandOptions.timeout`,
  // 5 s by default in node-redis 6), a timer and an AbortSignal per command, would repeat it.
  if (typeof candidate?.getSentinelNode === 'function') {
    const sentinel = client as NodeRedisSentinel
    return (args, signal) =>
      signal === undefined
        ? sentinel.sendCommand(false, args)
        : sentinel.sendCommand(false, args, { abortSignal: signal, timeout: 0 })
  }
  if (typeof candidate?.sendCommand === 'function') {
    const node = client as NodeRedisClient
    return (args, signal) =>
      signal === undefined
        ? node.sendCommand(args)
        : node.sendCommand(args, { abortSignal: signal, timeout: 0 })
  }
  return null
}

/**
 * The `keyPrefix` a client was made with (ioredis, iovalkey, node-redis 6): it would apply to
 * some of the keys the store names and not to those its scripts build.
 * @param client the client given to the store
 * @returns the prefix, or `''` for none
 */
export function clientKeyPrefix(client: RedisClient): string {
  const prefix = (client as { options?: { keyPrefix?: unknown } }).options?.keyPrefix
  return typeof prefix === 'string' ? prefix : ''
}

/**
 * Tells a Redis Cluster client (ioredis `Cluster`, node-redis `createCluster()`), which the
 * store does not support: its scripts touch keys of several hash slots.
 * @param client the client given to the store
 * @returns whether it is a cluster client
 */
export function isClusterClient(client: RedisClient): boolean {
  const candidate = client as { isCluster?: unknown; getSlotMaster?: unknown }
  return candidate.isCluster === true || typeof candidate.getSlotMaster === 'function'
}
