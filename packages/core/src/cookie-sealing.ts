import { decodeBase64url, encodeBase64url } from './base64url.ts'

const encoder = new TextEncoder()
const decoder = new TextDecoder('utf-8', { fatal: true })

// Salt and info bind the derived keys to this use (RFC 5869 3.1, 3.2): the same secret also
// signs session ids, and must not double as an encryption key.
const SALT = encoder.encode('fetch-session')
const KEY_INFO = encoder.encode('fetch-session cookie-store aes-256-gcm v1')
const KID_INFO = encoder.encode('fetch-session cookie-store key id v1')

const IV_BYTES = 12
const TAG_BYTES = 16
/** A key id is 6 bytes: 8 base64url characters. */
const KID_LENGTH = 8

interface SealingKey {
  kid: string
  key: CryptoKey
}

/**
 * Seals and opens cookie values: `<key id>.<iv>.<ciphertext>`, all base64url. The cookie name is
 * the additional authenticated data, so a sealed value cannot be replayed under another name.
 */
export class CookieSealer {
  readonly #keys: Promise<SealingKey[]>
  readonly #cache = new Map<string, string>()
  readonly #cacheSize: number
  readonly #aad: Uint8Array<ArrayBuffer>

  /**
   * @param secrets the key ring, current secret first
   * @param cookieName bound into every sealed value
   * @param cacheSize how many opened values to remember
   */
  constructor(secrets: readonly string[], cookieName: string, cacheSize: number) {
    this.#keys = Promise.all(secrets.map(deriveKey))
    // A rejected derivation surfaces on first use; keep it from being reported as unhandled.
    this.#keys.catch(() => {})
    this.#aad = encoder.encode(cookieName)
    this.#cacheSize = cacheSize
  }

  /**
   * Bytes a sealed value takes for a plaintext of `plaintextBytes` bytes.
   * @param plaintextBytes the UTF-8 length of the plaintext
   */
  static sealedLength(plaintextBytes: number): number {
    const n = plaintextBytes + TAG_BYTES
    return KID_LENGTH + 1 + Math.ceil((IV_BYTES * 8) / 6) + 1 + Math.ceil((n * 8) / 6)
  }

  /**
   * Encrypts under the current key.
   * @param plaintext the text to seal
   * @returns the sealed, cookie-safe value
   */
  async seal(plaintext: string): Promise<string> {
    const { kid, key } = (await this.#keys)[0]!
    const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES))
    const sealed = await crypto.subtle.encrypt(
      { name: 'AES-GCM', iv, additionalData: this.#aad },
      key,
      encoder.encode(plaintext),
    )
    const value = kid + '.' + encodeBase64url(iv) + '.' + encodeBase64url(new Uint8Array(sealed))
    this.#remember(value, plaintext)
    return value
  }

  /**
   * Decrypts a value sealed under any key of the ring.
   * @param value the sealed value
   * @returns the plaintext and whether it was sealed under an older key, or `null` when the
   *   value is malformed, forged or under an unknown key
   */
  async open(value: string): Promise<{ plaintext: string; stale: boolean } | null> {
    const cached = this.#cache.get(value)
    const keys = await this.#keys
    if (cached !== undefined) return { plaintext: cached, stale: !value.startsWith(keys[0]!.kid) }
    const first = value.indexOf('.')
    const second = value.indexOf('.', first + 1)
    if (first !== KID_LENGTH || second === -1) return null
    const kid = value.slice(0, first)
    const index = keys.findIndex((key) => key.kid === kid)
    if (index === -1) return null
    const iv = decodeBase64url(value.slice(first + 1, second))
    const data = decodeBase64url(value.slice(second + 1))
    if (iv === null || iv.length !== IV_BYTES || data === null || data.length < TAG_BYTES)
      return null
    let plaintext: string
    try {
      const opened = await crypto.subtle.decrypt(
        { name: 'AES-GCM', iv, additionalData: this.#aad },
        keys[index]!.key,
        data,
      )
      plaintext = decoder.decode(opened)
    } catch {
      return null
    }
    this.#remember(value, plaintext)
    return { plaintext, stale: index !== 0 }
  }

  #remember(value: string, plaintext: string): void {
    if (this.#cacheSize <= 0) return
    if (this.#cache.size >= this.#cacheSize) this.#cache.delete(this.#cache.keys().next().value!)
    this.#cache.set(value, plaintext)
  }
}

async function deriveKey(secret: string): Promise<SealingKey> {
  const material = await crypto.subtle.importKey('raw', encoder.encode(secret), 'HKDF', false, [
    'deriveBits',
    'deriveKey',
  ])
  const key = await crypto.subtle.deriveKey(
    { name: 'HKDF', hash: 'SHA-256', salt: SALT, info: KEY_INFO },
    material,
    { name: 'AES-GCM', length: 256 },
    false,
    ['encrypt', 'decrypt'],
  )
  const kidBits = await crypto.subtle.deriveBits(
    { name: 'HKDF', hash: 'SHA-256', salt: SALT, info: KID_INFO },
    material,
    48,
  )
  return { kid: encodeBase64url(new Uint8Array(kidBits)), key }
}
