// Random bytes are drawn many at a time: one crypto.getRandomValues call costs microseconds on
// some runtimes (Node 20 among them) whatever the length, a copy out of a pool far less. Every
// byte is given out once and wiped from the pool as it goes, so the pool only ever holds bytes
// nobody has seen.
const POOL_BYTES = 4096
const pool = new Uint8Array(POOL_BYTES)
let offset = POOL_BYTES

/**
 * Bytes from `crypto.getRandomValues`, for session ids and the IVs of sealed cookies.
 * @param length how many, at most 4096
 * @returns a new array of `length` random bytes
 */
export function randomBytes(length: number): Uint8Array<ArrayBuffer> {
  if (length > POOL_BYTES) throw new RangeError('randomBytes() gives at most 4096 bytes at once')
  if (offset + length > POOL_BYTES) {
    crypto.getRandomValues(pool)
    offset = 0
  }
  const bytes = pool.slice(offset, offset + length)
  pool.fill(0, offset, offset + length)
  offset += length
  return bytes
}
