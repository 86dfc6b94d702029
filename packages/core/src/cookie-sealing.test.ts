import { describe, it, expect } from 'vitest'
import { CookieSealer } from './cookie-sealing.ts'

const A = 'a'.repeat(32)
const B = 'b'.repeat(32)

describe('CookieSealer', () => {
  it('seals to a cookie-safe value that opens to the plaintext', async () => {
    const sealer = new CookieSealer([A], 'session', 0)
    const value = await sealer.seal('{"d":{"user":"ada"}}')
    expect(value).toMatch(/^[A-Za-z0-9_-]{8}\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+$/)
    expect(value).toHaveLength(CookieSealer.sealedLength(20))
    expect(await sealer.open(value)).toEqual({ plaintext: '{"d":{"user":"ada"}}', stale: false })
  })

  it('uses a fresh IV every time', async () => {
    const sealer = new CookieSealer([A], 'session', 0)
    expect(await sealer.seal('same')).not.toBe(await sealer.seal('same'))
  })

  it('opens values sealed under an older secret, and says so', async () => {
    const old = await new CookieSealer([A], 'session', 0).seal('x')
    expect(await new CookieSealer([B, A], 'session', 0).open(old)).toEqual({
      plaintext: 'x',
      stale: true,
    })
    expect(await new CookieSealer([B], 'session', 0).open(old)).toBeNull()
  })

  it('refuses any change to a sealed value', async () => {
    const sealer = new CookieSealer([A], 'session', 0)
    const value = await sealer.seal('{"d":{}}')
    for (let i = 0; i < value.length; i++) {
      if (value[i] === '.') continue
      const flipped = value.slice(0, i) + (value[i] === 'A' ? 'B' : 'A') + value.slice(i + 1)
      expect(await sealer.open(flipped)).toBeNull()
    }
    expect(await sealer.open(value.slice(0, -4))).toBeNull()
    expect(await sealer.open('')).toBeNull()
    expect(await sealer.open('........')).toBeNull()
  })

  it('serves a value it has opened before from its cache', async () => {
    const sealer = new CookieSealer([A], 'session', 10)
    const value = await new CookieSealer([A], 'session', 0).seal('cached')
    expect((await sealer.open(value))?.plaintext).toBe('cached')
    expect((await sealer.open(value))?.plaintext).toBe('cached')
  })
})
