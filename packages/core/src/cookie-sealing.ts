import { decodeBase64url, encodeBase64url } from './base64url.ts'
import { randomBytes } from './random-bytes.ts'
import { RecentMap } from './recent-map.ts'
import { webCrypto } from './session-crypto.ts'
import type { SessionCrypto } from './session-crypto.ts'

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
  /** The raw AES-256 key: the same array for the life of the sealer, for the provider's cache. */
  key: Uint8Array
}

/**
 * Seals and opens cookie values: `<key id>.<iv>.<ciphertext>`, all base64url. The cookie name is
 * the additional authenticated data, so a sealed value cannot be replayed under another name.
 */
export class CookieSealer {
  readonly #keys: Promise<SealingKey[]>
  readonly #cache: RecentMap<string, string>
  readonly #aad: Uint8Array<ArrayBuffer>
  #crypto: SessionCrypto

  /**
   * @param secrets the key ring, current secret first
   * @param cookieName bound into every sealed value
   * @param cacheSize how many opened values to remember
   * @param provider the crypto implementation
   */
  constructor(
    secrets: readonly string[],
    cookieName: string,
    cacheSize: number,
    provider: SessionCrypto = webCrypto,
  ) {
    this.#crypto = provider
    this.#keys = Promise.all(secrets.map(deriveKey))
    // A rejected derivation surfaces on first use; keep it from being reported as unhandled.
    this.#keys.catch(() => {})
    this.#aad = encoder.encode(cookieName)
    this.#cache = new RecentMap(cacheSize)
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
   * Switches to another implementation of the same primitives (byte-identical results).
   * @param provider the implementation
   */
  useCrypto(provider: SessionCrypto): void {
    this.#crypto = provider
  }

  /**
   * Encrypts under the current key.
   * @param plaintext the text to seal
   * @returns the sealed, cookie-safe value
   */
  async seal(plaintext: string): Promise<string> {
    const { kid, key } = (await this.#keys)[0]!
    const iv = randomBytes(IV_BYTES)
    const sealed = await this.#crypto.encrypt(key, iv, encoder.encode(plaintext), this.#aad)
    const value = kid + '.' + encodeBase64url(iv) + '.' + encodeBase64url(sealed)
    this.#cache.set(value, plaintext)
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
    const opened = await this.#crypto.decrypt(keys[index]!.key, iv, data, this.#aad)
    if (opened === null) return null
    let plaintext: string
    try {
      plaintext = decoder.decode(opened)
    } catch {
      return null // authentic but not UTF-8: not something this library sealed
    }
    this.#cache.set(value, plaintext)
    return { plaintext, stale: index !== 0 }
  }
}

// HKDF-SHA256 (RFC 5869) from the secret: the AES key and, under another label, its key id.
// Done once per secret, with Web Crypto whatever the provider, since it is not on the hot path.
async function deriveKey(secret: string): Promise<SealingKey> {
  const material = await crypto.subtle.importKey('raw', encoder.encode(secret), 'HKDF', false, [
    'deriveBits',
  ])
  const derive = async (info: Uint8Array<ArrayBuffer>, bits: number) =>
    new Uint8Array(
      await crypto.subtle.deriveBits(
        { name: 'HKDF', hash: 'SHA-256', salt: SALT, info },
        material,
        bits,
      ),
    )
  const [key, kid] = await Promise.all([derive(KEY_INFO, 256), derive(KID_INFO, 48)])
  return { kid: encodeBase64url(kid), key }
}
