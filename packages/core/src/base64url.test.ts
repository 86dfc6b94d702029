import { describe, it, expect } from 'vitest'
import fc from 'fast-check'
import { decodeBase64url, encodeBase64url } from './base64url.ts'

describe('encodeBase64url / decodeBase64url', () => {
  it.each([
    ['', ''],
    ['f', 'Zg'],
    ['fo', 'Zm8'],
    ['foo', 'Zm9v'],
    ['foob', 'Zm9vYg'],
    ['fooba', 'Zm9vYmE'],
    ['foobar', 'Zm9vYmFy'],
  ])('follows RFC 4648 test vectors: %j', (text, encoded) => {
    const bytes = new TextEncoder().encode(text)
    expect(encodeBase64url(bytes)).toBe(encoded)
    expect(decodeBase64url(encoded)).toEqual(bytes)
  })

  it('uses - and _ and no padding', () => {
    expect(encodeBase64url(new Uint8Array([0xfb, 0xff]))).toBe('-_8')
  })

  it('round-trips any bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), (bytes) => {
        expect(decodeBase64url(encodeBase64url(bytes))).toEqual(bytes)
      }),
    )
  })

  it('encodes inputs longer than one chunk of characters like the platform does', () => {
    for (const length of [3071, 3072, 3073, 9000]) {
      const bytes = new Uint8Array(length).map((_, i) => (i * 7919) & 255)
      const expected = btoa(String.fromCharCode(...bytes))
        .replaceAll('+', '-')
        .replaceAll('/', '_')
        .replace(/=+$/, '')
      expect(encodeBase64url(bytes)).toBe(expected)
    }
  })

  it.each(['Zg=', 'Z', 'Zh', 'a b', '+/+/', 'é'])('refuses the non-canonical %j', (text) => {
    expect(decodeBase64url(text)).toBeNull()
  })
})
