// The README's usage examples, run as written (with a temporary directory and a free port).
import { mkdtemp, rm } from 'node:fs/promises'
import { createServer } from 'node:http'
import type { Server } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import express from 'express'
import type { ErrorRequestHandler } from 'express'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createSessions } from '@fetch-session/core'
import {
  FileStore,
  nodeCrypto,
  serve,
  sessionErrorHandler,
  sessionMiddleware,
  withSession,
} from './index.ts'
import type { NodeSession } from './index.ts'
import { CookieJar } from '@fetch-session/test-support'
import { baseUrl, close, listen } from './test-support/servers.ts'

// The README's declaration for Express.
declare global {
  namespace Express {
    interface Request {
      session: NodeSession<{ user: string }>
    }
  }
}

const SESSION_SECRET = 'readme-secret-0123456789-0123456789-0123456789'

interface Cart {
  items: string[]
}

let directory: string
const servers: Server[] = []
beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'fetch-session-readme-'))
})
afterEach(async () => {
  await Promise.all(servers.map(close))
  servers.length = 0
})
afterAll(() => rm(directory, { recursive: true, force: true }))

function client(base: string) {
  const jar = new CookieJar()
  return async (path: string, init: RequestInit = {}) => {
    const headers = new Headers(init.headers)
    const cookie = jar.header()
    if (cookie !== undefined) headers.set('cookie', cookie)
    const response = await fetch(base + path, { ...init, headers, redirect: 'manual' })
    jar.store(response)
    return response
  }
}

function cartSessions() {
  const store = new FileStore({ directory: join(directory, String(servers.length)) })
  const sessions = createSessions<Cart>({ secrets: [SESSION_SECRET], store, crypto: nodeCrypto })
  return { store, sessions }
}

describe('README usage', () => {
  it('serves a fetch handler with sessions in files', async () => {
    const { store, sessions } = cartSessions()
    const app = sessions.wrap(async (request) => {
      const url = new URL(request.url)
      if (url.pathname === '/health') return new Response('ok')
      const session = await sessions.load(request)
      if (request.method === 'POST') {
        const form = await request.formData()
        session.set('items', [...(session.get('items') ?? []), String(form.get('item'))])
      }
      return Response.json({ items: session.get('items') ?? [] })
    })
    const server = await serve(app, { port: 0, hostname: '127.0.0.1' })
    servers.push(server)
    const send = client(baseUrl(server))

    const health = await send('/health')
    expect(health.headers.get('set-cookie')).toBeNull()
    await send('/', { method: 'POST', body: new URLSearchParams({ item: 'apple' }) })
    await send('/', { method: 'POST', body: new URLSearchParams({ item: 'pear' }) })
    expect(await (await send('/')).json()).toEqual({ items: ['apple', 'pear'] })
    expect(await store.sweep()).toBe(0)
  })

  it('gives a classic node:http handler req.session', async () => {
    const { sessions } = cartSessions()
    const server = createServer(
      withSession(sessions, (req, res) => {
        const items = req.session.get('items') ?? []
        if (req.method === 'POST') req.session.set('items', [...items, 'apple'])
        res.setHeader('content-type', 'application/json')
        res.end(JSON.stringify({ items }))
      }),
    )
    servers.push(server)
    const send = client(await listen(server))
    await send('/', { method: 'POST' })
    expect(await (await send('/')).json()).toEqual({ items: ['apple'] })
  })

  it('gives Express handlers req.session', async () => {
    const checkPassword = async (name: unknown, password: unknown) =>
      name === 'ada' && password === 'lovelace' ? { name: 'Ada' } : null

    const accounts = createSessions<{ user: string }>({ secrets: [SESSION_SECRET] })
    const app = express()
    app.get('/health', (_req, res) => {
      res.send('ok')
    })
    app.use(sessionMiddleware(accounts))
    app.post('/login', express.urlencoded({ extended: false }), async (req, res) => {
      const user = await checkPassword(req.body.name, req.body.password)
      if (user === null) {
        res.status(401).send('Wrong name or password')
        return
      }
      req.session.regenerate()
      req.session.set('user', user.name)
      res.redirect(303, '/')
    })
    app.get('/', (req, res) => {
      res.send(`Hello, ${req.session.get('user') ?? 'stranger'}`)
    })
    app.use(sessionErrorHandler())
    app.use(((error, _req, res, _next) => {
      res.status(error.status ?? 500).send('Something went wrong')
    }) satisfies ErrorRequestHandler)
    const server = createServer(app)
    servers.push(server)
    const send = client(await listen(server))

    expect(await (await send('/')).text()).toBe('Hello, stranger')
    const wrong = await send('/login', {
      method: 'POST',
      body: new URLSearchParams({ name: 'ada', password: 'babbage' }),
    })
    expect(wrong.status).toBe(401)
    const login = await send('/login', {
      method: 'POST',
      body: new URLSearchParams({ name: 'ada', password: 'lovelace' }),
    })
    expect(login.status).toBe(303)
    expect(login.headers.get('set-cookie')).toMatch(/^session=/)
    expect(await (await send('/')).text()).toBe('Hello, Ada')
    expect((await send('/health')).headers.get('vary')).toBeNull()
    // A form too large for express.urlencoded() fails the request: its error handler answers.
    const tooLarge = await send('/login', {
      method: 'POST',
      body: new URLSearchParams({ name: 'x'.repeat(200_000) }),
    })
    expect([tooLarge.status, await tooLarge.text()]).toEqual([413, 'Something went wrong'])
    expect(tooLarge.headers.get('set-cookie')).toBeNull()
    expect(tooLarge.headers.get('vary')).toBe('Cookie')
  })
})
