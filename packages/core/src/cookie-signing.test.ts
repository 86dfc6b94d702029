import { describe, it, expect, vi } from 'vitest'
import { sign, unsign } from './cookie-signing.ts'

const A = 'a'.repeat(32)
const B = 'b'.repeat(32)

describe('sign()', () => {
  it('appends a 43-character base64url HMAC-SHA256', async () => {
    const signed = await sign('hello', A)
    expect(signed).toMatch(/^hello\.[A-Za-z0-9_-]{43}$/)
    expect(await sign('hello', A)).toBe(signed)
    expect(await sign('hello', B)).not.toBe(signed)
  })

  it('matches HMAC-SHA256 of the value (RFC 4231 test case 2)', async () => {
    // key "Jefe", data "what do ya want for nothing?"
    const signed = await sign('what do ya want for nothing?', 'Jefe')
    const mac = signed.slice(signed.lastIndexOf('.') + 1)
    const hex = [...atob(mac.replace(/-/g, '+').replace(/_/g, '/'))]
      .map((c) => c.charCodeAt(0).toString(16).padStart(2, '0'))
      .join('')
    expect(hex).toBe('5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843')
  })
})

describe('unsign()', () => {
  it('returns the value and which secret verified it', async () => {
    expect(await unsign(await sign('id', A), [A])).toEqual({ value: 'id', secretIndex: 0 })
    expect(await unsign(await sign('id', A), [B, A])).toEqual({ value: 'id', secretIndex: 1 })
  })

  it('checks signatures with crypto.subtle.verify, never by comparing strings', async () => {
    const verify = vi.spyOn(crypto.subtle, 'verify')
    await unsign(await sign('id', A), [B, A])
    expect(verify).toHaveBeenCalledTimes(2)
    verify.mockRestore()
  })

  it.each([
    ['a removed secret', async () => unsign(await sign('id', A), [B])],
    ['a changed value', async () => unsign('di' + (await sign('id', A)).slice(2), [A])],
    ['a changed signature', async () => unsign((await sign('id', A)).slice(0, -1) + '_', [A])],
    ['a truncated signature', async () => unsign((await sign('id', A)).slice(0, -1), [A])],
    ['a padded signature', async () => unsign((await sign('id', A)) + '=', [A])],
    ['no signature', async () => unsign('id', [A])],
    ['an empty string', async () => unsign('', [A])],
    ['non-base64url signature', async () => unsign('id.' + '!'.repeat(43), [A])],
  ])('refuses %s', async (_, attempt) => {
    expect(await attempt()).toBeNull()
  })
})
