// What any SessionCrypto must do: the same bytes as Web Crypto, and refusals where it refuses.
import { describe, expect, it } from 'vitest'
import { webCrypto } from '@fetch-session/core'
import type { SessionCrypto } from '@fetch-session/core'

const encoder = new TextEncoder()

/**
 * Defines the tests that show a crypto implementation is interchangeable with `webCrypto`.
 * @param label names the implementation
 * @param provider the implementation under test
 */
export function cryptoConformance(label: string, provider: SessionCrypto): void {
  const secret = 'a-secret-of-at-least-thirty-two-characters'
  const key = crypto.getRandomValues(new Uint8Array(32))
  const iv = crypto.getRandomValues(new Uint8Array(12))
  const aad = encoder.encode('session')

  describe(`SessionCrypto conformance (${label})`, () => {
    it.each([
      ['an empty string', ''],
      ['an id', 'id'],
      ['non-ASCII text', 'ünïcödé ✓'],
      ['a long text', 'x'.repeat(1000)],
    ])('signs %s as Web Crypto does', async (_, data) => {
      const expected = bytes(await webCrypto.sign(secret, data))
      expect(bytes(await provider.sign(secret, data))).toEqual(expected)
    })

    it('verifies its own tags and Web Crypto tags, and refuses changed ones', async () => {
      const mac = await webCrypto.sign(secret, 'id')
      expect(await provider.verify(secret, 'id', mac)).toBe(true)
      expect(await provider.verify(secret, 'id', await provider.sign(secret, 'id'))).toBe(true)
      expect(await provider.verify(secret, 'other', mac)).toBe(false)
      expect(await provider.verify(secret + 'x', 'id', mac)).toBe(false)
      const changed = mac.slice()
      changed[31]! ^= 1
      expect(await provider.verify(secret, 'id', changed)).toBe(false)
      expect(await provider.verify(secret, 'id', mac.slice(0, 31))).toBe(false)
      expect(await provider.verify(secret, 'id', new Uint8Array(0))).toBe(false)
    })

    it('encrypts as Web Crypto does, and each decrypts the other', async () => {
      const plaintext = encoder.encode('{"d":{"cart":["apple"]}}')
      const sealed = await provider.encrypt(key, iv, plaintext, aad)
      expect(bytes(sealed)).toEqual(bytes(await webCrypto.encrypt(key, iv, plaintext, aad)))
      expect(bytes(await webCrypto.decrypt(key, iv, sealed, aad))).toEqual(plaintext)
      expect(bytes(await provider.decrypt(key, iv, sealed, aad))).toEqual(plaintext)
    })

    it('refuses to decrypt changed data, a changed tag or other additional data', async () => {
      const sealed = await provider.encrypt(key, iv, encoder.encode('secret data'), aad)
      for (const index of [0, sealed.length - 1]) {
        const changed = sealed.slice()
        changed[index]! ^= 1
        expect(await provider.decrypt(key, iv, changed, aad)).toBeNull()
      }
      expect(await provider.decrypt(key, iv, sealed, encoder.encode('other'))).toBeNull()
      expect(await provider.decrypt(key, iv, sealed.slice(0, 10), aad)).toBeNull()
    })
  })
}

// Compares contents, not classes: a Node Buffer is a Uint8Array with more methods.
function bytes(value: Uint8Array | null): Uint8Array | null {
  return value === null ? null : new Uint8Array(value)
}
