import { describe, expect, it } from 'vitest'
import { hmacSha256 } from './hmac-sha256.ts'

const encoder = new TextEncoder()

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('')
}

async function webCryptoSign(secret: string, data: string): Promise<string> {
  const key = await crypto.subtle.importKey(
    'raw',
    encoder.encode(secret),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign'],
  )
  return hex(new Uint8Array(await crypto.subtle.sign('HMAC', key, encoder.encode(data))))
}

describe('hmacSha256', () => {
  it('gives the tag of RFC 4231, test case 2', () => {
    expect(hex(hmacSha256('Jefe', 'what do ya want for nothing?'))).toBe(
      '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
    )
  })

  it('agrees with crypto.subtle.sign on keys and messages of every length around the block', async () => {
    const texts = ['', 'a', 'ü€😀', 'x'.repeat(55), 'y'.repeat(56), 'z'.repeat(64), 'w'.repeat(65)]
    const secrets = [
      'k'.repeat(32),
      'é'.repeat(32), // 64 bytes of UTF-8: exactly a block
      'q'.repeat(65), // longer than a block: hashed first
      's'.repeat(200),
    ]
    for (const secret of secrets) {
      for (const data of [...texts, 'A'.repeat(32), 'tail'.repeat(40)]) {
        expect(hex(hmacSha256(secret, data)), `${secret.length} ${data.length}`).toBe(
          await webCryptoSign(secret, data),
        )
      }
    }
  })

  it('agrees with crypto.subtle.sign on random session ids', async () => {
    const secret = 'a long and random enough secret, for the test only'
    for (let i = 0; i < 50; i++) {
      const id = hex(crypto.getRandomValues(new Uint8Array(16)))
      expect(hex(hmacSha256(secret, id))).toBe(await webCryptoSign(secret, id))
    }
  })
})
