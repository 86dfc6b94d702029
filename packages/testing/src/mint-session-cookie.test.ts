import { describe, expect, it } from 'vitest'
import { createSessions, MemoryStore } from '@fetch-session/core'
import { mintSessionCookie } from './mint-session-cookie.ts'
import { createTestClient } from './test-client.ts'

interface Account {
  name: string
  cart: string[]
}

const sessions = createSessions<Account>({
  secrets: 'a test secret of at least thirty-two chars',
  cookie: { name: '__Host-session' },
  store: new MemoryStore(),
})

const app = sessions.wrap(async (request) => {
  const session = await sessions.load(request)
  return Response.json({
    userId: session.userId,
    name: session.get('name') ?? null,
    cart: session.get('cart') ?? [],
  })
})

describe('mintSessionCookie', () => {
  it('gives a plain fetch the cookie of a session holding the data', async () => {
    const minted = await mintSessionCookie(sessions, { data: { name: 'Ada', cart: ['tea'] } })
    expect(minted.name).toBe('__Host-session')
    expect(minted.cookie).toBe(`__Host-session=${minted.value}`)
    expect(minted.setCookie).toMatch(/^__Host-session=[^;]+; .*Secure/)
    const response = await app(
      new Request('http://localhost/', { headers: { cookie: minted.cookie } }),
    )
    expect(await response.json()).toEqual({ userId: null, name: 'Ada', cart: ['tea'] })
  })

  it('signs the session in with session.login(userId), data kept', async () => {
    const minted = await mintSessionCookie(sessions, { userId: 'user-7', data: { name: 'Ada' } })
    const client = createTestClient(app)
    client.setCookie(minted.setCookie)
    expect(await (await client.get('/')).json()).toEqual({
      userId: 'user-7',
      name: 'Ada',
      cart: [],
    })
    const listed = await sessions.listSessions('user-7')
    expect(listed.map((info) => info.data)).toContainEqual({ name: 'Ada' })
  })

  it('mints a new session each time', async () => {
    const [first, second] = await Promise.all([
      mintSessionCookie(sessions, { data: { name: 'one' } }),
      mintSessionCookie(sessions, { data: { name: 'two' } }),
    ])
    expect(first.value).not.toBe(second.value)
  })

  it('refuses to mint a session with nothing to store', async () => {
    await expect(mintSessionCookie(sessions)).rejects.toThrow(/needs data or a userId/)
  })
})
