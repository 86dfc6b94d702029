import { decodeBase64url, encodeBase64url } from './base64url.ts'
import { webCrypto } from './session-crypto.ts'
import type { SessionCrypto } from './session-crypto.ts'
import { isSessionId } from './session-id.ts'

/**
 * Appends an HMAC-SHA256 signature to a value: `<value>.<signature>`, the signature in unpadded
 * base64url (43 characters).
 * @param value the text to sign: a session id, since `unsign` accepts nothing else
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

// A session id is 32 characters, so a signed id is 76.
const ID_LENGTH = 32
const SIGNED_LENGTH = ID_LENGTH + 1 + SIGNATURE_LENGTH

/**
 * Checks the signature made by `sign` over a session id against each secret in turn, in
 * constant time with the provider's `verify` (`crypto.subtle.verify` by default). Text that is
 * not a session id, a dot and a 43-character signature is refused before any HMAC is computed,
 * so a forged cookie costs no crypto.
 * @param signed the text `<id>.<signature>`
 * @param secrets the key ring: the current secret first, then older ones still accepted
 * @param provider the crypto implementation; default Web Crypto
 * @returns the id and the index of the secret that verified it, or `null` when none did
 */
export async function unsign(
  signed: string,
  secrets: readonly string[],
  provider: SessionCrypto = webCrypto,
): Promise<Unsigned | null> {
  if (signed.length !== SIGNED_LENGTH || signed.charCodeAt(ID_LENGTH) !== 0x2e) return null
  const value = signed.slice(0, ID_LENGTH)
  if (!isSessionId(value)) return null
  const mac = decodeBase64url(signed.slice(ID_LENGTH + 1))
  if (mac === null) return null
  for (let i = 0; i < secrets.length; i++) {
    if (await provider.verify(secrets[i]!, value, mac)) return { value, secretIndex: i }
  }
  return null
}
