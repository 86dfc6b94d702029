// The limits of Workers KV that a session store can run into, checked before KV is asked so that
// the error says which limit and by how much, instead of a bare HTTP status from the binding.
// https://developers.cloudflare.com/kv/platform/limits/

/** The limits of Workers KV that `KVStore` checks. */
export const KV_LIMITS = {
  /** Bytes of a key, UTF-8 encoded. */
  keyBytes: 512,
  /** Bytes of a value: 25 MiB. */
  valueBytes: 25 * 1024 * 1024,
  /** Bytes of the metadata, JSON-serialized. */
  metadataBytes: 1024,
  /** Seconds: an expiration less than this far ahead is refused by KV. */
  minExpirationTtl: 60,
  /** Seconds: the shortest `cacheTtl` KV accepts. */
  minCacheTtl: 30,
} as const

/**
 * Which limit of Workers KV was exceeded. Keys need no check per call: the prefix is bounded when
 * the store is made and ids are session ids.
 */
export type KVLimit = 'value' | 'metadata'

/**
 * Thrown by `KVStore` for a value or metadata larger than Workers KV accepts, before KV is
 * called. Reaching an application through `sessions.commit()`, it is the `cause` of a
 * `SessionStoreError`. The message gives sizes only, never the key (which holds the session id)
 * or the session data.
 * @see https://developers.cloudflare.com/kv/platform/limits/
 */
export class KVLimitError extends Error {
  /** A stable code to branch on. */
  readonly code = 'KV_LIMIT_EXCEEDED'

  /**
   * @param limit which limit was exceeded
   * @param size the bytes needed
   * @param max the bytes KV accepts
   */
  constructor(
    readonly limit: KVLimit,
    readonly size: number,
    readonly max: number,
  ) {
    super(
      `The ${limit} would be ${size} bytes, over the ${max} bytes Workers KV accepts` +
        HINTS[limit],
    )
    this.name = 'KVLimitError'
  }
}

const HINTS: Record<KVLimit, string> = {
  value: '; store less in the session',
  metadata: '',
}

/**
 * Throws `KVLimitError` when `text` takes more than `max` bytes in UTF-8.
 * @param limit which limit this is, for the error
 * @param text the value or the serialized metadata
 * @param max the limit in bytes
 */
export function checkLimit(limit: KVLimit, text: string, max: number): void {
  // A UTF-16 code unit takes at most 3 bytes in UTF-8, so short strings need no encoding.
  if (text.length * 3 <= max) return
  const size = utf8Length(text)
  if (size > max) throw new KVLimitError(limit, size, max)
}

/**
 * The UTF-8 length of a string, without allocating its encoding. Lone surrogates count 3 bytes,
 * as U+FFFD, which is what `TextEncoder` (and so KV) writes for them.
 */
export function utf8Length(text: string): number {
  let size = text.length
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i)
    if (unit < 0x80) continue
    if (unit < 0x800) size += 1
    else if (unit >= 0xd800 && unit <= 0xdbff && isLow(text.charCodeAt(i + 1))) {
      // A surrogate pair: two units, four bytes.
      size += 2
      i++
    } else size += 2
  }
  return size
}

function isLow(unit: number): boolean {
  return unit >= 0xdc00 && unit <= 0xdfff
}
