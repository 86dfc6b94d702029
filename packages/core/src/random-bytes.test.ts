import { describe, it, expect } from 'vitest'
import { randomBytes } from './random-bytes.ts'

describe('randomBytes()', () => {
  it('gives fresh arrays of the length asked, across refills of the pool', () => {
    const seen = new Set<string>()
    for (let i = 0; i < 1000; i++) {
      const bytes = randomBytes(12)
      expect(bytes).toHaveLength(12)
      seen.add(bytes.join(','))
    }
    // 1000 draws of 96 bits: a repeat would mean bytes given out twice.
    expect(seen.size).toBe(1000)
  })

  it('hands out copies: changing one does not change the next', () => {
    const a = randomBytes(24)
    a.fill(7)
    expect([...randomBytes(24)].every((byte) => byte === 7)).toBe(false)
  })

  it('refuses more than the pool holds', () => {
    expect(() => randomBytes(4097)).toThrow(RangeError)
  })
})
