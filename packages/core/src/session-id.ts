import { encodeBase64url } from './base64url.ts'

/** Random bytes in a session id: 192 bits, well past the 128 that OWASP asks for. */
const ID_BYTES = 24

// 24 bytes encode to exactly 32 base64url characters, with no partial last group.
const ID_PATTERN = /^[A-Za-z0-9_-]{32}$/

// Random bytes are drawn for many ids at once: one getRandomValues call costs microseconds on
// some runtimes, the copy of 24 bytes nanoseconds. Every byte is used for one id only.
const POOL_IDS = 128
let pool = new Uint8Array(0)
let offset = 0

/**
 * Creates a new session id from `crypto.getRandomValues`.
 * @returns 32 base64url characters carrying 192 random bits
 * @see https://cheatsheetseries.owasp.org/cheatsheets/Session_Management_Cheat_Sheet.html#session-id-entropy
 */
export function generateSessionId(): string {
  if (offset + ID_BYTES > pool.length) {
    pool = crypto.getRandomValues(new Uint8Array(ID_BYTES * POOL_IDS))
    offset = 0
  }
  const bytes = pool.subarray(offset, offset + ID_BYTES)
  const id = encodeBase64url(bytes)
  // Wiped once used, so the pool holds only ids not yet given out.
  bytes.fill(0)
  offset += ID_BYTES
  return id
}

/**
 * Tells whether a string has the shape of an id made by `generateSessionId`. Stores that turn
 * ids into file names or keys check this first, so no crafted id can reach a path.
 * @param id the candidate id
 * @returns true for 32 base64url characters
 */
export function isSessionId(id: unknown): id is string {
  return typeof id === 'string' && ID_PATTERN.test(id)
}
