import { randomInt } from 'node:crypto'
import { SessionConfigError, isSessionId } from '@fetch-session/core'
import type {
  SessionVersion,
  SessionWrite,
  StoredSession,
  UserSession,
  VersionedSessionStore,
} from '@fetch-session/core'
import { clientKeyPrefix, commandSender, isClusterClient } from './redis-client.ts'
import type { RedisClient, SendCommand } from './redis-client.ts'
import { LIST, REMOVE, WRITE } from './redis-scripts.ts'
import type { RedisScript } from './redis-scripts.ts'
import { DeadlinePassed, MAX_TIMER, SharedDeadlines } from './shared-deadlines.ts'

/** Options of `RedisStore`. */
export interface RedisStoreOptions {
  /**
   * A connected client of one Redis server: node-redis (`createClient()` from `redis` 5 or
   * later, after `await client.connect()`), ioredis (`new Redis()`) or iovalkey
   * (`new Valkey()`), used as it is. Required.
   */
  client: RedisClient
  /**
   * Put before every key the store writes: records are `<prefix><id>`, user indexes
   * `<prefix>user:<userId>`. Give each application sharing a server a prefix of its own.
   * Default: `'session:'`.
   */
  prefix?: string
  /**
   * How long one store operation may take, in milliseconds, before it fails, whatever the
   * client does with commands while it is disconnected (see the README on faults). Keep it at
   * or below the core's `storeTimeout`; at most 2147483647 (about 24.8 days). Default: `5000`.
   */
  timeout?: number
}

type Operation = 'read' | 'write' | 'remove' | 'list'

const OPERATIONS: Record<Operation, string> = {
  read: 'read a session',
  write: 'write a session',
  remove: 'remove a session',
  list: "list a user's sessions",
}

// Operations started within 10 ms of each other share a deadline, so one may run up to 10 ms
// past `timeout`.
const DEADLINE_WIDTH = 10

// A created record's version starts at a random value up to 2^48 (exact in a double and in
// Lua), so that a record removed and created again under the same id cannot come back at a
// version that a request read before the removal.
const VERSION_START_BOUND = 2 ** 48

/**
 * A session store on Redis (or a server speaking its protocol), for any number of server
 * instances sharing one Redis. Each write is a compare-and-set run by a Lua script, so that
 * concurrent requests, on one instance or many, lose no change and cannot bring back a session
 * that was removed; the same scripts keep a per-user index, so a user's sessions can be listed
 * and ended. Records expire on the server at their absolute expiry time (`PEXPIREAT`), index
 * entries with them. A read never writes.
 *
 * The scripts are sent once per server (`SCRIPT LOAD`) and then called by digest (`EVALSHA`);
 * a server that forgot them (restarted, or `SCRIPT FLUSH`) is sent them again transparently.
 * One Redis server, or a primary the client follows, is supported; Redis Cluster is not.
 */
export class RedisStore implements VersionedSessionStore {
  /** The resolved key prefix. */
  readonly prefix: string
  /** The resolved bound on one operation, in milliseconds. */
  readonly timeout: number
  readonly #send: SendCommand
  readonly #users: string
  readonly #loading = new Map<RedisScript, Promise<unknown>>()
  readonly #deadlines: SharedDeadlines

  /**
   * @param options see `RedisStoreOptions`
   * @throws SessionConfigError when `client` is not a Redis client or is a Cluster client, has
   *   a `keyPrefix` of its own, `prefix` is not a string, or `timeout` not a positive number
   */
  constructor(options: RedisStoreOptions) {
    const { client, prefix = 'session:', timeout = 5000 } = (options ?? {}) as RedisStoreOptions
    const send = client == null ? null : commandSender(client)
    if (send === null) {
      throw new SessionConfigError(
        'RedisStore needs a `client`: a connected node-redis, ioredis or iovalkey client',
      )
    }
    if (isClusterClient(client)) {
      throw new SessionConfigError(
        'RedisStore does not support Redis Cluster: give it a client of one server or primary',
      )
    }
    if (clientKeyPrefix(client) !== '') {
      throw new SessionConfigError(
        "RedisStore needs a client without `keyPrefix`: give the store's `prefix` instead",
      )
    }
    if (typeof prefix !== 'string') {
      throw new SessionConfigError('RedisStore `prefix` must be a string, such as "session:"')
    }
    // A timer longer than 2^31 - 1 ms fires at once.
    if (typeof timeout !== 'number' || !(timeout > 0) || !(timeout <= MAX_TIMER)) {
      throw new SessionConfigError(
        'RedisStore `timeout` must be a positive number of milliseconds, at most 2147483647',
      )
    }
    this.#send = send
    this.prefix = prefix
    this.timeout = timeout
    this.#deadlines = new SharedDeadlines(timeout, Math.min(timeout, DEADLINE_WIDTH))
    this.#users = `${prefix}user:`
  }

  /**
   * Reads a record with its version, in one `HMGET`.
   * @param id the session id; anything but a session id reads as absent
   * @returns the record, or `null` when absent or expired
   */
  async read(id: string): Promise<StoredSession | null> {
    if (!isSessionId(id)) return null
    const reply = await this.#run('read', (signal) =>
      this.#send(['HMGET', this.prefix + id, 'r', 'v'], signal),
    )
    const [record, version] = Array.isArray(reply) ? reply : []
    if (typeof record !== 'string' || typeof version !== 'string') return null
    return { record, version: Number(version) }
  }

  /**
   * Writes a record if the stored one is still at `expected`, and files it under its user.
   * A record whose expiry has passed is written as already expired: the version is returned,
   * and the record is gone.
   * @param id the session id
   * @param write the record, its expiry and its user
   * @param expected the version read before, or `null` to create the record only if the id is
   *   free
   * @returns the new version, or `null` on a conflict
   * @throws TypeError when `id` is not a session id, or `write` is malformed
   */
  async write(
    id: string,
    write: SessionWrite,
    expected: SessionVersion | null,
  ): Promise<SessionVersion | null> {
    if (!isSessionId(id)) throw new TypeError('RedisStore refuses an id that is not a session id')
    const { record, expiresAt, userId } = write
    if (typeof record !== 'string') throw new TypeError('RedisStore needs a string record')
    const expiry = Math.floor(expiresAt)
    if (!Number.isSafeInteger(expiry)) throw new TypeError('RedisStore needs a finite expiresAt')
    if (userId !== null && (typeof userId !== 'string' || userId === '')) {
      throw new TypeError('RedisStore needs a userId that is a non-empty string, or null')
    }
    const key = this.prefix + id
    const keys = userId === null ? [key] : [key, this.#users + userId]
    const args = [
      id,
      expected === null ? 'create' : 'replace',
      expected === null ? '' : String(expected),
      record,
      String(expiry),
      userId ?? '',
      String(randomInt(1, VERSION_START_BOUND)),
      String(Date.now()),
      this.#users,
    ]
    const reply = await this.#run('write', (signal) => this.#eval(WRITE, keys, args, signal))
    return reply === null || reply === undefined ? null : Number(reply)
  }

  /**
   * Removes a record and its entry in its user's index.
   * @param id the session id; anything but a session id is absent
   * @param expected when given, remove only if the record is at this version
   * @returns whether a live record was removed
   */
  async remove(id: string, expected?: SessionVersion): Promise<boolean> {
    if (!isSessionId(id)) return false
    const args = [
      id,
      expected === undefined ? 'any' : 'expected',
      expected === undefined ? '' : String(expected),
      String(Date.now()),
      this.#users,
    ]
    const reply = await this.#run('remove', (signal) =>
      this.#eval(REMOVE, [this.prefix + id], args, signal),
    )
    return Number(reply) === 1
  }

  /**
   * Lists the live records bound to a user, in one read-only script.
   * @param userId the user
   * @returns the user's records with their ids, in no particular order; `[]` for none
   */
  async listByUser(userId: string): Promise<UserSession[]> {
    if (typeof userId !== 'string' || userId === '') return []
    const args = [String(Date.now()), this.prefix, userId]
    const reply = await this.#run('list', (signal) =>
      this.#eval(LIST, [this.#users + userId], args, signal),
    )
    const found: UserSession[] = []
    const flat = Array.isArray(reply) ? reply : []
    for (let i = 0; i + 2 < flat.length; i += 3) {
      const [id, record, version] = [flat[i], flat[i + 1], flat[i + 2]]
      if (isSessionId(id) && typeof record === 'string' && typeof version === 'string') {
        found.push({ id, record, version: Number(version) })
      }
    }
    return found
  }

  // Calls a script by its digest, sending its source first when the server does not know it.
  async #eval(
    script: RedisScript,
    keys: string[],
    args: string[],
    signal: AbortSignal,
  ): Promise<unknown> {
    const command = ['EVALSHA', script.sha, String(keys.length), ...keys, ...args]
    try {
      return await this.#send(command, signal)
    } catch (error) {
      // Past the deadline the operation has failed already: it must not be sent again.
      if (!(error instanceof Error && error.message.startsWith('NOSCRIPT')) || signal.aborted) {
        throw error
      }
    }
    await this.#load(script)
    signal.throwIfAborted()
    return this.#send(command, signal)
  }

  // One SCRIPT LOAD at a time per script, however many operations found it missing together.
  // It is never withdrawn: the operations waiting on it have deadlines of their own, and a load
  // that runs late is harmless.
  #load(script: RedisScript): Promise<unknown> {
    let loading = this.#loading.get(script)
    if (loading === undefined) {
      loading = this.#send(['SCRIPT', 'LOAD', script.source]).finally(() => {
        this.#loading.delete(script)
      })
      this.#loading.set(script, loading)
    }
    return loading
  }

  // Runs one operation within `timeout`, and turns any failure into an error that names the
  // operation only: client errors can carry the command, whose keys hold session and user ids.
  async #run<T>(operation: Operation, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
    try {
      return await this.#deadlines.run(work)
    } catch (error) {
      throw storeError(operation, error instanceof DeadlinePassed ? 'TIMEOUT' : errorCode(error))
    }
  }
}

// What can be said of a failure without its message: a Redis error's prefix (`WRONGTYPE`,
// `READONLY`, `LOADING`…), a system error's code (`ECONNREFUSED`), or the error's class name.
function errorCode(error: unknown): string {
  const { code, message, name } = (error ?? {}) as {
    code?: unknown
    message?: unknown
    name?: unknown
  }
  if (typeof code === 'string' && /^[A-Z][A-Z_]{1,31}$/.test(code)) return code
  const prefix = typeof message === 'string' ? /^([A-Z][A-Z_]{1,31})(?: |$)/.exec(message) : null
  if (prefix !== null) return prefix[1]!
  // Some clients' error classes leave `name` at 'Error'.
  const className = (error as { constructor?: { name?: unknown } } | null)?.constructor?.name
  for (const candidate of [name, className]) {
    if (typeof candidate === 'string' && candidate !== 'Error' && /^\w{1,64}$/.test(candidate)) {
      return candidate
    }
  }
  return 'Error'
}

function storeError(operation: Operation, code: string): Error {
  const error = new Error(`RedisStore could not ${OPERATIONS[operation]} (${code})`)
  return Object.assign(error, { code })
}
