import { decodeBase64url, encodeBase64url } from './base64url.ts'

const encoder = new TextEncoder()

// Importing a key costs about as much as a signature on some runtimes, so each secret is imported
// once. The cache holds a few secrets at most (the key rings of the processes' Sessions objects);
// the bound only stops a caller that signs with ever-new secrets from growing it without end.
const MAX_CACHED_KEYS = 64
const keys = new Map<string, Promise<CryptoKey>>()

/**
 * Imports a secret as an HMAC-SHA256 key, once per secret.
 * @param secret the secret text
 * @returns the cached key
 */
export function importSigningKey(secret: string): Promise<CryptoKey> {
  let key = keys.get(secret)
  if (key === undefined) {
    if (keys.size >= MAX_CACHED_KEYS) keys.delete(keys.keys().next().value!)
    key = crypto.subtle.importKey(
      'raw',
      encoder.encode(secret),
      { name: 'HMAC', hash: 'SHA-256' },
      false,
      ['sign', 'verify'],
    )
    // A failed import must not poison the cache for later calls.
    key.catch(() => keys.delete(secret))
    keys.set(secret, key)
  }
  return key
}

/**
 * Appends an HMAC-SHA256 signature to a value: `<value>.<signature>`, the signature in unpadded
 * base64url (43 characters).
 * @param value the text to sign; it should not need escaping in a cookie
 * @param secret the signing secret
 * @returns the signed text
 * @see https://www.rfc-editor.org/rfc/rfc2104
 */
export async function sign(value: string, secret: string): Promise<string> {
  const key = await importSigningKey(secret)
  const mac = await crypto.subtle.sign('HMAC', key, encoder.encode(value))
  return value + '.' + encodeBase64url(new Uint8Array(mac))
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
 * Checks the signature made by `sign` against each secret in turn, in constant time through
 * `crypto.subtle.verify`.
 * @param signed the text `<value>.<signature>`
 * @param secrets the key ring: the current secret first, then older ones still accepted
 * @returns the value and the index of the secret that verified it, or `null` when none did
 */
export async function unsign(signed: string, secrets: readonly string[]): Promise<Unsigned | null> {
  const dot = signed.length - SIGNATURE_LENGTH - 1
  if (dot < 0 || signed.charCodeAt(dot) !== 0x2e) return null
  const mac = decodeBase64url(signed.slice(dot + 1))
  if (mac === null) return null
  const value = signed.slice(0, dot)
  const data = encoder.encode(value)
  for (let i = 0; i < secrets.length; i++) {
    const key = await importSigningKey(secrets[i]!)
    if (await crypto.subtle.verify('HMAC', key, mac, data)) return { value, secretIndex: i }
  }
  return null
}
