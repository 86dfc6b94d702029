import { decodeBase64url, encodeBase64url } from './base64url.ts'
import { webCrypto } from './session-crypto.ts'
import type { SessionCrypto } from './session-crypto.ts'

/**
 * Appends an HMAC-SHA256 signature to a value: `<value>.<signature>`, the signature in unpadded
 * base64url (43 characters).
 * @param value the text to sign; it should not need escaping in a cookie
 * @param secret the signing secret
 * @param provider the crypto implementation; default Web Crypto
 * @returns the signed text
 * @see https://www.rfc-editor.org/rfc/rfc2104
 */
export async function sign(
  value: string,
  secret: string,
  provider: SessionCrypto = webCrypto,
): Promise<string> {
  return value + '.' + encodeBase64url(await provider.sign(secret, value))
}

/** What `unsign` found in a correctly signed text. */
export interface Unsigned {
  /** The value that was signed. */
  value: string
  /** Which secret of the list verified it: 0 is the current one, more means "re-sign it". */
  secretIndex: number
}

// An HMAC-SHA256 tag is 32 bytes: 43 base64url characters.
const SIGNATURE_LENGTH = 43

/**
 * Checks the signature made by `sign` against each secret in turn, in constant time (Web
 * Crypto's `crypto.subtle.verify` by default).
 * @param signed the text `<value>.<signature>`
 * @param secrets the key ring: the current secret first, then older ones still accepted
 * @param provider the crypto implementation; default Web Crypto
 * @returns the value and the index of the secret that verified it, or `null` when none did
 */
export async function unsign(
  signed: string,
  secrets: readonly string[],
  provider: SessionCrypto = webCrypto,
): Promise<Unsigned | null> {
  const dot = signed.length - SIGNATURE_LENGTH - 1
  if (dot < 0 || signed.charCodeAt(dot) !== 0x2e) return null
  const mac = decodeBase64url(signed.slice(dot + 1))
  if (mac === null) return null
  const value = signed.slice(0, dot)
  for (let i = 0; i < secrets.length; i++) {
    if (await provider.verify(secrets[i]!, value, mac)) return { value, secretIndex: i }
  }
  return null
}
