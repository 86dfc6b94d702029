import { hmacSha256 } from './hmac-sha256.ts'

/**
 * The cryptographic primitives the core uses: HMAC-SHA256 for signed ids, AES-256-GCM for
 * `CookieStore`. The default, `webCrypto`, uses Web Crypto (and the core's own HMAC to sign) and
 * runs everywhere. A runtime with a faster native implementation may supply its own (for example
 * `nodeCrypto` from `@fetch-session/node`), as long as its output is byte-identical and `verify`
 * runs in constant time.
 */
export interface SessionCrypto {
  /**
   * Computes an HMAC-SHA256.
   * @param secret the key, as UTF-8 text
   * @param data the message, as UTF-8 text
   * @returns the 32-byte tag
   */
  sign(secret: string, data: string): Uint8Array | Promise<Uint8Array>
  /**
   * Checks an HMAC-SHA256 tag in constant time.
   * @param secret the key, as UTF-8 text
   * @param data the message, as UTF-8 text
   * @param mac the tag to check
   * @returns whether the tag is right
   */
  verify(secret: string, data: string, mac: Uint8Array): boolean | Promise<boolean>
  /**
   * Encrypts with AES-256-GCM and a 128-bit tag.
   * @param key 32 bytes; the same array object is passed for the same key, so it can be a cache key
   * @param iv 12 bytes, never reused with one key
   * @param plaintext the bytes to seal
   * @param aad additional authenticated data
   * @returns the ciphertext followed by the 16-byte tag
   */
  encrypt(
    key: Uint8Array,
    iv: Uint8Array,
    plaintext: Uint8Array,
    aad: Uint8Array,
  ): Uint8Array | Promise<Uint8Array>
  /**
   * Decrypts what `encrypt` made.
   * @returns the plaintext, or `null` when the data or the tag was changed
   */
  decrypt(
    key: Uint8Array,
    iv: Uint8Array,
    sealed: Uint8Array,
    aad: Uint8Array,
  ): Uint8Array | null | Promise<Uint8Array | null>
}

const encoder = new TextEncoder()

// Importing a key costs about as much as using it, so each key is imported once. Signing keys
// are few (the secrets of the process's Sessions objects); the bound only stops a caller that
// signs with ever-new secrets from growing the cache without end.
const MAX_CACHED_KEYS = 64
const hmacKeys = new Map<string, Promise<CryptoKey>>()
const aesKeys = new WeakMap<Uint8Array, Promise<CryptoKey>>()

function hmacKey(secret: string): Promise<CryptoKey> {
  let key = hmacKeys.get(secret)
  if (key === undefined) {
    if (hmacKeys.size >= MAX_CACHED_KEYS) hmacKeys.delete(hmacKeys.keys().next().value!)
    key = crypto.subtle.importKey(
      'raw',
      encoder.encode(secret),
      { name: 'HMAC', hash: 'SHA-256' },
      false,
      ['sign', 'verify'],
    )
    // A failed import must not poison the cache for later calls.
    key.catch(() => hmacKeys.delete(secret))
    hmacKeys.set(secret, key)
  }
  return key
}

function aesKey(raw: Uint8Array): Promise<CryptoKey> {
  let key = aesKeys.get(raw)
  if (key === undefined) {
    key = crypto.subtle.importKey('raw', copy(raw), 'AES-GCM', false, ['encrypt', 'decrypt'])
    key.catch(() => aesKeys.delete(raw))
    aesKeys.set(raw, key)
  }
  return key
}

// Web Crypto wants ArrayBuffer-backed views; a caller's view may sit on a SharedArrayBuffer.
function copy(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return bytes.buffer instanceof ArrayBuffer ? (bytes as Uint8Array<ArrayBuffer>) : bytes.slice()
}

/**
 * The default implementation, on Web Crypto (`crypto.subtle`), with keys imported once; it signs
 * with the core's synchronous HMAC, and checks with `crypto.subtle.verify`.
 */
export const webCrypto: SessionCrypto = {
  // Byte-identical to crypto.subtle.sign, and synchronous: see hmac-sha256.ts.
  sign: hmacSha256,
  async verify(secret, data, mac) {
    return crypto.subtle.verify('HMAC', await hmacKey(secret), copy(mac), encoder.encode(data))
  },
  async encrypt(key, iv, plaintext, aad) {
    const sealed = await crypto.subtle.encrypt(
      { name: 'AES-GCM', iv: copy(iv), additionalData: copy(aad) },
      await aesKey(key),
      copy(plaintext),
    )
    return new Uint8Array(sealed)
  },
  async decrypt(key, iv, sealed, aad) {
    try {
      const opened = await crypto.subtle.decrypt(
        { name: 'AES-GCM', iv: copy(iv), additionalData: copy(aad) },
        await aesKey(key),
        copy(sealed),
      )
      return new Uint8Array(opened)
    } catch {
      return null
    }
  },
}
