import { describe, it, expect } from 'vitest'
import { generateSessionId, isSessionId } from './session-id.ts'
import { decodeBase64url } from './base64url.ts'

describe('generateSessionId()', () => {
  it('draws 192 random bits as 32 base64url characters', () => {
    const id = generateSessionId()
    expect(id).toMatch(/^[A-Za-z0-9_-]{32}$/)
    expect(decodeBase64url(id)).toHaveLength(24)
  })

  it('does not repeat', () => {
    const ids = new Set(Array.from({ length: 10_000 }, generateSessionId))
    expect(ids.size).toBe(10_000)
  })
})

describe('isSessionId()', () => {
  it.each([
    ['a generated id', generateSessionId(), true],
    ['too short', 'A'.repeat(31), false],
    ['too long', 'A'.repeat(33), false],
    ['a path', '../../../../etc/passwd' + 'A'.repeat(10), false],
    ['an encoded separator', '%2e%2e%2f' + 'A'.repeat(23), false],
    ['a NUL', 'A'.repeat(31) + '\0', false],
    ['a number', 42, false],
  ])('%s: %s', (_, id, expected) => {
    expect(isSessionId(id)).toBe(expected)
  })
})
