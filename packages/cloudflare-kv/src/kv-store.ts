import { SessionConfigError, isSessionId } from '@fetch-session/core'
import type { SessionStore } from '@fetch-session/core'
import { KV_LIMITS, checkLimit, utf8Length } from './kv-limits.ts'
import type { KVNamespaceLike, KVRecordMetadata } from './kv-namespace.ts'

/** Options of `KVStore`. */
export interface KVStoreOptions {
  /**
   * Put before each session id to make its key, so that sessions can share a namespace with
   * other data and be listed with `list({ prefix })`. At most 480 bytes, so that with a
   * 32-character id the key stays within KV's 512. Default: `"session:"`.
   */
  prefix?: string
  /**
   * Seconds for which a read is cached in the Cloudflare location that made it, passed to KV as
   * `cacheTtl` (at least 30). Longer saves latency on cold reads, but a location may then keep
   * serving a session that was changed or deleted elsewhere for that long (see the README's
   * consistency section). Default: none, so KV's own default (60 seconds) applies.
   * @see https://developers.cloudflare.com/kv/api/read-key-value-pairs/#cachettl-parameter
   */
  cacheTtl?: number
}

// Ids are checked with `isSessionId` (32 base64url characters), so a prefix that leaves room for
// one bounds every key.
const ID_LENGTH = 32
const MAX_PREFIX_BYTES = KV_LIMITS.keyBytes - ID_LENGTH

/**
 * A session store over a Workers KV namespace, built around KV's limits:
 * - every record carries its exact expiry in KV metadata and is refused by `get` once expired,
 *   while KV's own time to live, which must be at least 60 seconds, is clamped up to that
 *   minimum and never fails a write;
 * - `get` reads once and never writes (not even to remove an expired record: KV's time to live
 *   does that), and the core writes an unchanged session at most once per `touchInterval`;
 * - ids are checked with `isSessionId`, so no crafted id can reach another prefix's keys;
 * - values are checked against KV's size limits before KV is called, with a `KVLimitError` that
 *   names the limit, and keys are within KV's 512 bytes by construction.
 *
 * KV is eventually consistent: a write can take up to about 60 seconds to be seen in other
 * locations. See the README for what that means for logout and `regenerate()`.
 * @see https://developers.cloudflare.com/kv/concepts/how-kv-works/
 */
export class KVStore implements SessionStore {
  /** The resolved key prefix. */
  readonly prefix: string
  /** The resolved `cacheTtl` in seconds, or `undefined` for KV's default. */
  readonly cacheTtl: number | undefined
  readonly #namespace: KVNamespaceLike
  readonly #readOptions: { type: 'text'; cacheTtl?: number }

  /**
   * @param namespace the KV binding, such as `env.SESSIONS`
   * @param options see `KVStoreOptions`
   * @throws SessionConfigError for a namespace without the needed methods, or an option that
   *   KV would refuse
   */
  constructor(namespace: KVNamespaceLike, options: KVStoreOptions = {}) {
    for (const method of ['getWithMetadata', 'put', 'delete'] as const) {
      if (typeof (namespace as Partial<KVNamespaceLike> | null)?.[method] !== 'function') {
        throw new SessionConfigError(
          'KVStore needs a KV namespace binding (such as `env.SESSIONS`): ' +
            `\`${method}\` is not a function`,
        )
      }
    }
    const prefix = options.prefix ?? 'session:'
    if (typeof prefix !== 'string' || utf8Length(prefix) > MAX_PREFIX_BYTES) {
      throw new SessionConfigError(
        `KVStore \`prefix\` must be a string of at most ${MAX_PREFIX_BYTES} bytes, so that keys ` +
          `stay within the ${KV_LIMITS.keyBytes} bytes KV accepts`,
      )
    }
    const cacheTtl = options.cacheTtl
    if (
      cacheTtl !== undefined &&
      (!Number.isInteger(cacheTtl) || cacheTtl < KV_LIMITS.minCacheTtl)
    ) {
      throw new SessionConfigError(
        'KVStore `cacheTtl` must be an integer number of seconds, ' +
          `at least ${KV_LIMITS.minCacheTtl}`,
      )
    }
    this.#namespace = namespace
    this.prefix = prefix
    this.cacheTtl = cacheTtl
    this.#readOptions = cacheTtl === undefined ? { type: 'text' } : { type: 'text', cacheTtl }
  }

  /**
   * Reads a record: one KV read, no write. A record past the expiry kept in its metadata is
   * refused even while KV still holds it, and so is a value without that metadata (it was not
   * written by a `KVStore`). An id that is not a session id is read as absent, without a KV call.
   * @param id the session id
   * @returns the record, or `null`
   */
  async get(id: string): Promise<string | null> {
    if (!isSessionId(id)) return null
    const { value, metadata } = await this.#namespace.getWithMetadata(
      this.#key(id),
      this.#readOptions,
    )
    if (value === null) return null
    const expiresAt = (metadata as Partial<KVRecordMetadata> | null)?.expiresAt
    if (typeof expiresAt !== 'number' || !(expiresAt > Date.now())) return null
    return value
  }

  /**
   * Writes a record with its exact expiry in the metadata and a KV time to live of at least 60
   * seconds (KV's minimum) that does not end before `expiresAt`. A record whose `expiresAt` has
   * passed already is deleted instead. One KV write either way.
   * @param id the session id
   * @param record the serialized session
   * @param expiresAt milliseconds since the epoch
   * @throws TypeError when `id` is not a session id
   * @throws KVLimitError when the record is larger than KV accepts
   * @throws the binding's error when KV refuses the write, after one retry a second later if
   *   the refusal was KV's limit of one write per second to a key (HTTP 429)
   * @throws RangeError when `expiresAt` is not a finite number
   */
  async set(id: string, record: string, expiresAt: number): Promise<void> {
    const key = this.#key(id)
    if (typeof expiresAt !== 'number' || !Number.isFinite(expiresAt)) {
      throw new RangeError('KVStore.set() needs a finite `expiresAt` in milliseconds')
    }
    const now = Date.now()
    if (expiresAt <= now) {
      await retryRateLimited(() => this.#namespace.delete(key))
      return
    }
    checkLimit('value', record, KV_LIMITS.valueBytes)
    const metadata: KVRecordMetadata = { expiresAt }
    checkLimit('metadata', JSON.stringify(metadata), KV_LIMITS.metadataBytes)
    // KV counts the time to live from its own clock, in whole seconds, and drops a record once
    // that second has begun: one extra second keeps the record at least until `expiresAt`.
    const expirationTtl = Math.max(
      KV_LIMITS.minExpirationTtl,
      Math.ceil((expiresAt - now) / 1000) + 1,
    )
    await retryRateLimited(() => this.#namespace.put(key, record, { expirationTtl, metadata }))
  }

  /**
   * Removes a record: one KV write. Other locations may still see it for up to about 60
   * seconds (see the README).
   * @param id the session id
   * @throws TypeError when `id` is not a session id
   */
  async delete(id: string): Promise<void> {
    const key = this.#key(id)
    await retryRateLimited(() => this.#namespace.delete(key))
  }

  // Writes and deletes refuse a bad id loudly: only a caller other than the core can send one.
  #key(id: string): string {
    if (!isSessionId(id)) throw new TypeError('KVStore refuses an id that is not a session id')
    return this.prefix + id
  }
}

/** How long to wait before the one retry of a write that KV refused as too frequent. */
export const RATE_LIMIT_RETRY_MS = 1100

// KV takes one write per second to a key and answers a faster one with a 429. Ordinary flows
// come close: a form that sets a flash message, then the redirected page that consumes it.
// Waiting just over a second and trying once more turns that into latency instead of a 500.
async function retryRateLimited(write: () => Promise<unknown>): Promise<void> {
  try {
    await write()
  } catch (error) {
    if (!isRateLimited(error)) throw error
    await new Promise((resolve) => setTimeout(resolve, RATE_LIMIT_RETRY_MS))
    await write()
  }
}

function isRateLimited(error: unknown): boolean {
  return error instanceof Error && /\b429\b|too many requests/i.test(error.message)
}
