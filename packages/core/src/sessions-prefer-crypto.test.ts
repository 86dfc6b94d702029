import { describe, it, expect } from 'vitest'
import { SessionConfigError, createSessions, webCrypto } from './index.ts'
import type { SessionCrypto, Sessions } from './index.ts'

const SECRET = 'a-secret-of-at-least-thirty-two-characters'

function counting(): SessionCrypto & { calls: number } {
  const provider = {
    calls: 0,
    sign: (secret: string, data: string) => (provider.calls++, webCrypto.sign(secret, data)),
    verify: (secret: string, data: string, mac: Uint8Array) => (
      provider.calls++,
      webCrypto.verify(secret, data, mac)
    ),
    encrypt: webCrypto.encrypt,
    decrypt: webCrypto.decrypt,
  }
  return provider
}

async function newCookie(sessions: Sessions<{ n: number }>): Promise<string | null> {
  const request = new Request('https://example.com/')
  const session = await sessions.load(request)
  session.set('n', 1)
  return (await sessions.commit(session, new Response())).headers.get('set-cookie')
}

describe('sessions.preferCrypto()', () => {
  it('is used when createSessions was given no crypto, with the same cookies as before', async () => {
    const sessions = createSessions<{ n: number }>({ secrets: SECRET })
    const before = await newCookie(sessions)
    const faster = counting()
    expect(sessions.preferCrypto(faster)).toBe(true)
    expect(await newCookie(sessions)).toMatch(/^session=/)
    expect(faster.calls).toBe(1)
    // A cookie signed before the switch still verifies after it.
    const session = await sessions.load(
      new Request('https://example.com/', { headers: { cookie: before!.split(';')[0]! } }),
    )
    expect(session.isNew).toBe(false)
  })

  it('leaves a crypto the application chose', async () => {
    const chosen = counting()
    const sessions = createSessions<{ n: number }>({ secrets: SECRET, crypto: chosen })
    const other = counting()
    expect(sessions.preferCrypto(other)).toBe(false)
    await newCookie(sessions)
    expect([chosen.calls, other.calls]).toEqual([1, 0])
  })

  it('refuses something that is not a SessionCrypto', () => {
    const sessions = createSessions<{ n: number }>({ secrets: SECRET })
    expect(() => sessions.preferCrypto({} as SessionCrypto)).toThrow(SessionConfigError)
  })
})
