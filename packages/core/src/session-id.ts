import { encodeBase64url } from './base64url.ts'
import { randomBytes } from './random-bytes.ts'

/**
 * Random bytes in a session id: 192 bits, past the 128 bits of entropy that OWASP ASVS 5.0
 * (requirement 7.2.3) asks of a session token, and the 64 of OWASP's Session Management Cheat
 * Sheet.
 */
const ID_BYTES = 24

// 24 bytes encode to exactly 32 base64url characters, with no partial last group.
const ID_PATTERN = /^[A-Za-z0-9_-]{32}$/

/**
 * Creates a new session id from `crypto.getRandomValues`.
 * @returns 32 base64url characters carrying 192 random bits
 * @see https://owasp.org/www-project-application-security-verification-standard/
 * @see https://cheatsheetseries.owasp.org/cheatsheets/Session_Management_Cheat_Sheet.html#session-id-entropy
 */
export function generateSessionId(): string {
  return encodeBase64url(randomBytes(ID_BYTES))
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
