import { describe, expect, it } from 'vitest'
import { sha256 } from './sha256.ts'

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('')
}

describe('sha256', () => {
  it('gives the digests of FIPS 180-4', () => {
    const encoder = new TextEncoder()
    expect(hex(sha256(encoder.encode('abc')))).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    )
    expect(hex(sha256(new Uint8Array(0)))).toBe(
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    )
  })

  it('agrees with crypto.subtle.digest at every length up to three blocks', async () => {
    for (let length = 0; length <= 200; length++) {
      const message = crypto.getRandomValues(new Uint8Array(length))
      const expected = new Uint8Array(await crypto.subtle.digest('SHA-256', message))
      expect(hex(sha256(message)), `${length} bytes`).toBe(hex(expected))
    }
  })
})
