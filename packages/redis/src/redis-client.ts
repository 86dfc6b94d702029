/**
 * The one method of a node-redis client (`redis` 5 or later, `createClient()`) that `RedisStore`
 * calls. A connected client is used as it is.
 * @see https://github.com/redis/node-redis/blob/master/docs/v4-to-v5.md
 */
export interface NodeRedisClient {
  /**
   * Sends one command.
   * @param args the command and its arguments
   * @param options `abortSignal` withdraws the command while it still waits to be sent
   * @returns the reply
   */
  sendCommand(args: string[], options?: { abortSignal?: AbortSignal }): Promise<unknown>
}

/**
 * The one method of an ioredis or iovalkey client (`new Redis()`, `new Valkey()`) that
 * `RedisStore` calls. A client is used as it is, without its `keyPrefix` option (the store's
 * `prefix` does that job).
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

/** A client `RedisStore` can talk to: node-redis, ioredis or iovalkey, connected to one server. */
export type RedisClient = NodeRedisClient | IoRedisClient

/** Sends one command through whichever kind of client was given. */
export type SendCommand = (args: string[], signal?: AbortSignal) => Promise<unknown>

/**
 * Tells the two kinds of client apart once, at construction.
 * @param client the client given to the store
 * @returns how to send a command through it, or `null` when it has neither method
 */
export function commandSender(client: RedisClient): SendCommand | null {
  const candidate = client as Partial<NodeRedisClient & IoRedisClient> | null | undefined
  // ioredis also has a `sendCommand`, taking a Command object: look for its `call` first.
  if (typeof candidate?.call === 'function') {
    const io = client as IoRedisClient
    return (args) => io.call(args[0]!, args.slice(1))
  }
  if (typeof candidate?.sendCommand === 'function') {
    const node = client as NodeRedisClient
    return (args, signal) =>
      signal === undefined
        ? node.sendCommand(args)
        : node.sendCommand(args, { abortSignal: signal })
  }
  return null
}

/**
 * The `keyPrefix` an ioredis or iovalkey client was made with, which would apply to the keys the
 * store names but not to those its scripts build.
 * @param client the client given to the store
 * @returns the prefix, or `''` for none
 */
export function clientKeyPrefix(client: RedisClient): string {
  const prefix = (client as { options?: { keyPrefix?: unknown } }).options?.keyPrefix
  return typeof prefix === 'string' ? prefix : ''
}
