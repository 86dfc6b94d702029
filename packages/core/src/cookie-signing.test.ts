import { describe, it, expect, vi } from 'vitest'
import { sign, unsign } from './cookie-signing.ts'
import { webCrypto } from './session-crypto.ts'
import type { SessionCrypto } from './session-crypto.ts'
import { generateSessionId } from './session-id.ts'

const A = 'a'.repeat(32)
const B = 'b'.repeat(32)
const ID = 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'
const RING = ['c', 'd', 'e', 'f', 'g'].map((c) => c.repeat(32))

// Web Crypto, counting the HMAC computations asked of it.
function countingCrypto(): { provider: SessionCrypto; calls: () => number } {
  let calls = 0
  const provider: SessionCrypto = {
    ...webCrypto,
    sign: (secret, data) => (calls++, webCrypto.sign(secret, data)),
    verify: (secret, data, mac) => (calls++, webCrypto.verify(secret, data, mac)),
  }
  return { provider, calls: () => calls }
}

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
  it('returns the session id and which secret verified it', async () => {
    const id = generateSessionId()
    expect(await unsign(await sign(id, A), [A])).toEqual({ value: id, secretIndex: 0 })
    expect(await unsign(await sign(id, A), [B, A])).toEqual({ value: id, secretIndex: 1 })
  })

  it('checks signatures with crypto.subtle.verify, never by comparing strings', async () => {
    const verify = vi.spyOn(crypto.subtle, 'verify')
    await unsign(await sign(ID, A), [B, A])
    expect(verify).toHaveBeenCalledTimes(2)
    verify.mockRestore()
  })

  it('tries every secret of the ring on a well-formed cookie it cannot verify', async () => {
    const { provider, calls } = countingCrypto()
    expect(await unsign(await sign(ID, A), RING, provider)).toBeNull()
    expect(calls()).toBe(RING.length)
  })

  it.each([
    ['a removed secret', async () => unsign(await sign(ID, A), [B])],
    ['a changed value', async () => unsign('B' + (await sign(ID, A)).slice(1), [A])],
    ['a changed signature', async () => unsign((await sign(ID, A)).slice(0, -1) + '_', [A])],
    ['a truncated signature', async () => unsign((await sign(ID, A)).slice(0, -1), [A])],
    ['a padded signature', async () => unsign((await sign(ID, A)) + '=', [A])],
    ['no signature', async () => unsign(ID, [A])],
    ['an empty string', async () => unsign('', [A])],
    ['non-base64url signature', async () => unsign(ID + '.' + '!'.repeat(43), [A])],
  ])('refuses %s', async (_, attempt) => {
    expect(await attempt()).toBeNull()
  })

  // A forged cookie must not cost one HMAC per secret (over up to 4 KiB each) before its shape
  // is checked: the core signs only session ids, so anything else is refused without crypto.
  it.each([
    ['an 8 KiB value', async () => sign('A'.repeat(8192), A)],
    ['a value one character short of an id', async () => sign(ID.slice(1), A)],
    ['a value one character past an id', async () => sign(ID + 'A', A)],
    ['a value with a character outside base64url', async () => sign(ID.slice(1) + '.', A)],
    ['a value with a non-ASCII character', async () => sign(ID.slice(1) + '\u00e9', A)],
    ['an empty value', async () => sign('', A)],
    ['a 42-character signature', async () => (await sign(ID, A)).slice(0, -1)],
    ['a 44-character signature', async () => (await sign(ID, A)) + 'A'],
    ['no dot before the signature', async () => (await sign(ID, A)).replace('.', 'A')],
    ['a signature outside base64url', async () => ID + '.' + '!'.repeat(43)],
  ])('refuses %s without computing an HMAC', async (_, forge) => {
    const forged = await forge()
    const { provider, calls } = countingCrypto()
    expect(await unsign(forged, RING, provider)).toBeNull()
    expect(calls()).toBe(0)
  })
})
