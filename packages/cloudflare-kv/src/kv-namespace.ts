/**
 * The few methods of a Workers KV namespace binding that `KVStore` calls. A binding from
 * `env` (typed `KVNamespace` by `@cloudflare/workers-types`) fits it as is, and so does
 * miniflare's `getKVNamespace()`; declaring only these keeps this package free of the Workers
 * types at runtime and in its public types.
 * @see https://developers.cloudflare.com/kv/api/
 */
export interface KVNamespaceLike {
  /**
   * Reads a value as text, with the metadata written beside it.
   * @param key the key
   * @param options `type: 'text'`, and `cacheTtl` in seconds when set
   * @returns the value (`null` when absent) and its metadata (`null` when none)
   * @see https://developers.cloudflare.com/kv/api/read-key-value-pairs/
   */
  getWithMetadata(
    key: string,
    options: { type: 'text'; cacheTtl?: number },
  ): Promise<{ value: string | null; metadata: unknown }>
  /**
   * Writes a value with metadata and a time to live.
   * @param key the key, at most 512 bytes
   * @param value the value, at most 25 MiB
   * @param options `expirationTtl` in seconds (at least 60) and `metadata` (at most 1024 bytes
   *   of JSON)
   * @see https://developers.cloudflare.com/kv/api/write-key-value-pairs/
   */
  put(
    key: string,
    value: string,
    options: { expirationTtl: number; metadata: KVRecordMetadata },
  ): Promise<void>
  /**
   * Removes a key; removing an absent key is not an error.
   * @param key the key
   * @see https://developers.cloudflare.com/kv/api/delete-key-value-pairs/
   */
  delete(key: string): Promise<void>
}

/**
 * The metadata `KVStore` keeps beside each record. KV keeps a record until its TTL, which is
 * at least 60 seconds; the exact expiry lives here so that a read can refuse a record that KV
 * still holds but that has expired.
 */
export interface KVRecordMetadata {
  /** When the session expires, in milliseconds since the epoch. */
  expiresAt: number
}
