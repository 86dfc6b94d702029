import { createServer } from 'node:http'
import type { Server } from 'node:http'
import express from 'express'
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { CookieStore, createSessions, MemoryStore, webCrypto } from '@fetch-session/core'
import type { SessionCrypto, Sessions } from '@fetch-session/core'
import { SECRET_A } from '@fetch-session/test-support'
import { nodeCrypto } from './node-crypto.ts'
import { sessionMiddleware } from './session-middleware.ts'
import type { SessionRequest } from './session-middleware.ts'
import { withSession } from './with-session.ts'
import { cookiePairs, rawRequest } from './test-support/raw-request.ts'
import { close, listen } from './test-support/servers.ts'

interface Data {
  count: number
}

const signs = vi.spyOn(nodeCrypto, 'sign')
const verifies = vi.spyOn(nodeCrypto, 'verify')
const encrypts = vi.spyOn(nodeCrypto, 'encrypt')
afterAll(() => vi.restoreAllMocks())
beforeEach(() => vi.clearAllMocks())

const store = new MemoryStore()
const cookies = new CookieStore()
// The same secrets and stores on Web Crypto, to check that the cookies made here stay valid.
const webStored = createSessions<Data>({ secrets: SECRET_A, store })
const webSealed = createSessions<Data>({ secrets: SECRET_A, store: cookies })

let chosenCalls = 0
const chosen: SessionCrypto = {
  ...webCrypto,
  sign: (secret, data) => (chosenCalls++, webCrypto.sign(secret, data)),
}

async function mint(sessions: Sessions<Data>): Promise<string> {
  const session = await sessions.load(new Request('https://localhost/'))
  session.set('count', 10)
  return (await sessions.commit(session, new Response())).headers.get('set-cookie')!.split(';')[0]!
}

async function readWith(sessions: Sessions<Data>, cookie: string): Promise<number | undefined> {
  const session = await sessions.load(new Request('https://localhost/', { headers: { cookie } }))
  return session.get('count')
}

let server: Server
let base: string
let early: string

beforeAll(async () => {
  const plain = createSessions<Data>({ secrets: SECRET_A, store })
  // Signed with Web Crypto, before any middleware switched this object.
  early = await mint(plain)
  const count = (req: SessionRequest<Data>) => {
    req.session.update('count', (n = 0) => n + 1)
    return String(req.session.get('count'))
  }
  const listeners = {
    '/plain': withSession(plain, (req, res) => res.end(count(req))),
    '/sealed': withSession(
      createSessions<Data>({ secrets: SECRET_A, store: cookies }),
      (req, res) => res.end(count(req)),
    ),
    '/chosen': withSession(
      createSessions<Data>({ secrets: SECRET_A, store, crypto: chosen }),
      (req, res) => res.end(count(req)),
    ),
  }
  const app = express()
  app.use(sessionMiddleware(createSessions<Data>({ secrets: SECRET_A, store })))
  app.get('/express', (req, res) => {
    res.send(count(req as SessionRequest<Data, typeof req>))
  })
  server = createServer((req, res) => {
    const listener = listeners[req.url as keyof typeof listeners]
    if (listener !== undefined) listener(req, res)
    else app(req, res)
  })
  base = await listen(server)
})
afterAll(() => close(server))

describe('withSession() given sessions with no crypto of their own', () => {
  it('signs a new session through nodeCrypto, in a cookie Web Crypto accepts', async () => {
    const response = await rawRequest(base + '/plain')
    expect(response.body.toString()).toBe('1')
    expect(signs).toHaveBeenCalledTimes(1)
    expect(await readWith(webStored, cookiePairs(response)[0]!)).toBe(1)
  })

  it('accepts, through nodeCrypto, a cookie Web Crypto signed before the switch', async () => {
    const response = await rawRequest(base + '/plain', { headers: { cookie: early } })
    expect(response.body.toString()).toBe('11')
    expect(verifies).toHaveBeenCalledTimes(1)
  })

  it('seals a CookieStore session through nodeCrypto, in a cookie Web Crypto opens', async () => {
    const response = await rawRequest(base + '/sealed')
    expect(encrypts).toHaveBeenCalledTimes(1)
    expect(await readWith(webSealed, cookiePairs(response)[0]!)).toBe(1)
  })

  it('keeps the crypto the application chose', async () => {
    chosenCalls = 0
    const response = await rawRequest(base + '/chosen')
    expect(response.body.toString()).toBe('1')
    expect(chosenCalls).toBe(1)
    expect(signs).not.toHaveBeenCalled()
  })
})

describe('sessionMiddleware() given sessions with no crypto of their own', () => {
  it('signs a new session through nodeCrypto, in a cookie Web Crypto accepts', async () => {
    const response = await rawRequest(base + '/express')
    expect(response.body.toString()).toBe('1')
    expect(signs).toHaveBeenCalledTimes(1)
    expect(await readWith(webStored, cookiePairs(response)[0]!)).toBe(1)
  })
})
