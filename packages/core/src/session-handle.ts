import { encodeBase64url } from './base64url.ts'
import { sha256 } from './sha256.ts'

const encoder = new TextEncoder()
// Domain separation: this digest of an id is used for nothing else.
const LABEL = 'fetch-session handle v1\0'

/**
 * The handle of a session: a name for listing and ending it that is safe to show in a page.
 * It is a one-way digest of the id, cut to 128 bits. A key is not needed to keep the id out of
 * reach: ids carry 192 random bits, far too many to search, and an unkeyed digest stays the same
 * when the secrets rotate, so a handle names its session for the whole life of the id.
 * @param id the session id
 * @returns 22 base64url characters
 */
export function sessionHandle(id: string): string {
  return encodeBase64url(sha256(encoder.encode(LABEL + id)).subarray(0, 16))
}
