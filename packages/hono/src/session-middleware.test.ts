import { SessionConfigError, SessionStoreError, createSessions } from '@fetch-session/core'
import type { Session, Sessions } from '@fetch-session/core'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { serve } from '@hono/node-server'
import type { HttpBindings, ServerType } from '@hono/node-server'
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response'
import { Hono } from 'hono'
import { setCookie } from 'hono/cookie'
import { HTTPException } from 'hono/http-exception'
import { stream } from 'hono/streaming'
import { Readable } from 'node:stream'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { CountingStore, GatedStore, SECRET_A } from '@fetch-session/test-support'
import { session } from './session-middleware.ts'
import type { SessionEnv } from './session-env.ts'

interface Data {
  count: number
  user: string
}

function setup() {
  const store = new CountingStore()
  const sessions = createSessions<Data>({ secrets: [SECRET_A], store })
  const app = new Hono<SessionEnv<Data>>()
  app.use(session(sessions))
  // Quiet error handling that keeps the status of an HTTPException, as Hono's default does.
  app.onError((error, c) =>
    error instanceof HTTPException ? error.getResponse() : c.text('failed', 500),
  )
  app.get('/count', async (c) => {
    const session = await c.var.session()
    const count = (session.get('count') ?? 0) + 1
    session.set('count', count)
    return c.json({ count })
  })
  app.get('/read', async (c) => {
    const session = await c.var.session()
    return c.json({ count: session.get('count') ?? null })
  })
  return { store, sessions, app }
}

// The first line of each Set-Cookie header of a response, as `name=value`.
function cookies(response: Response): string[] {
  return response.headers.getSetCookie().map((line) => line.split(';')[0]!)
}

// The `session=…` pair of a response, to send back in a Cookie header.
function sessionCookie(response: Response): string {
  const pair = cookies(response).find((cookie) => cookie.startsWith('session='))
  expect(pair).toBeDefined()
  return pair!
}

afterEach(() => {
  vi.restoreAllMocks()
})

describe('session()', () => {
  it('verifies no cookie and calls no store for a route that never asks for the session', async () => {
    const { store, app } = setup()
    app.get('/untouched', (c) => c.text('no session here'))
    const cookie = sessionCookie(await app.request('/count'))
    store.reset()
    const verify = vi.spyOn(crypto.subtle, 'verify')
    const untouched = await app.request('/untouched', { headers: { cookie } })
    expect(await untouched.text()).toBe('no session here')
    expect(store.total).toBe(0)
    expect(verify).not.toHaveBeenCalled()
    expect(untouched.headers.get('set-cookie')).toBeNull()
    expect(untouched.headers.get('vary')).toBeNull()
    expect(untouched.headers.get('cache-control')).toBeNull()
    // The same cookie on a route that asks: one verification, one read.
    const read = await app.request('/read', { headers: { cookie } })
    expect(await read.json()).toEqual({ count: 1 })
    expect(verify).toHaveBeenCalledTimes(1)
    expect(store.calls).toEqual({ get: 1, set: 0, delete: 0 })
  })

  it('gives every caller of c.var.session() within a request the same session', async () => {
    const { store, app } = setup()
    const seen: Session<Data>[] = []
    app.use('/twice', async (c, next) => {
      seen.push(await c.var.session())
      await next()
    })
    app.get('/twice', async (c) => {
      const [first, second] = await Promise.all([c.var.session(), c.get('session')()])
      seen.push(first, second)
      first.set('count', 7)
      return c.text('ok')
    })
    const cookie = sessionCookie(await app.request('/count'))
    store.reset()
    const response = await app.request('/twice', { headers: { cookie } })
    expect(response.headers.getSetCookie()).toHaveLength(0)
    expect(seen).toHaveLength(3)
    expect(new Set(seen).size).toBe(1)
    expect(store.calls).toEqual({ get: 1, set: 1, delete: 0 })
  })

  it('commits a session loaded with sessions.load(c.req.raw) instead of c.var.session()', async () => {
    const { sessions, app } = setup()
    app.get('/direct', async (c) => {
      ;(await sessions.load(c.req.raw)).set('count', 5)
      return c.text('ok')
    })
    const cookie = sessionCookie(await app.request('/direct'))
    expect(await (await app.request('/read', { headers: { cookie } })).json()).toEqual({ count: 5 })
  })

  it('commits to a response the handler assigned to c.res', async () => {
    const { app } = setup()
    app.get('/assigned', async (c) => {
      ;(await c.var.session()).set('count', 1)
      c.res = new Response('assigned', { status: 201 })
    })
    const response = await app.request('/assigned')
    expect(response.status).toBe(201)
    expect(await response.text()).toBe('assigned')
    const cookie = sessionCookie(response)
    expect(await (await app.request('/read', { headers: { cookie } })).json()).toEqual({ count: 1 })
  })

  it('commits to a response that an inner middleware replaced after the handler', async () => {
    const store = new CountingStore()
    const app = new Hono<SessionEnv<Data>>()
    app.use(session(createSessions<Data>({ secrets: [SECRET_A], store })))
    app.use(async (c, next) => {
      await next()
      c.res = undefined
      c.res = new Response('replaced', { status: 202 })
    })
    app.get('/', async (c) => {
      ;(await c.var.session()).set('count', 1)
      return c.text('original')
    })
    const response = await app.request('/')
    expect(response.status).toBe(202)
    expect(await response.text()).toBe('replaced')
    expect(response.headers.get('set-cookie')).toMatch(/^session=/)
    expect(response.headers.get('vary')).toBe('Cookie')
    expect(store.calls.set).toBe(1)
  })

  it('commits before a streamed body is sent and leaves the stream whole', async () => {
    const { app } = setup()
    app.get('/helper', async (c) => {
      ;(await c.var.session()).set('count', 1)
      return stream(c, async (out) => {
        await out.write('one,')
        await out.write('two')
      })
    })
    app.get('/readable', async (c) => {
      ;(await c.var.session()).set('count', 2)
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(new TextEncoder().encode('chunked'))
          controller.close()
        },
      })
      return new Response(body, { headers: { 'content-type': 'text/plain' } })
    })
    const helper = await app.request('/helper')
    expect(helper.headers.get('set-cookie')).toMatch(/^session=/)
    expect(await helper.text()).toBe('one,two')
    const readable = await app.request('/readable')
    expect(readable.headers.get('set-cookie')).toMatch(/^session=/)
    expect(await readable.text()).toBe('chunked')
  })

  it.each([
    ['c.redirect()', () => undefined],
    ['Response.redirect()', () => Response.redirect('http://localhost/read', 302)],
  ])('commits to a redirect made with %s', async (_, make) => {
    const { app } = setup()
    app.post('/login', async (c) => {
      const session = await c.var.session()
      session.set('user', 'ada')
      session.regenerate()
      return make() ?? c.redirect('http://localhost/read', 302)
    })
    const response = await app.request('/login', { method: 'POST' })
    expect(response.status).toBe(302)
    expect(response.headers.get('location')).toBe('http://localhost/read')
    expect(response.headers.get('set-cookie')).toMatch(/^session=/)
    expect(response.headers.get('cache-control')).toBe('private')
  })

  it('commits to the immutable response of a fetch() and keeps its own headers', async () => {
    const { app } = setup()
    app.get('/proxy', async (c) => {
      ;(await c.var.session()).set('count', 1)
      const upstream = await fetch('data:text/plain,from%20upstream')
      expect(() => upstream.headers.set('x-test', '1')).toThrow(TypeError)
      return upstream
    })
    const response = await app.request('/proxy')
    expect(await response.text()).toBe('from upstream')
    expect(response.headers.get('content-type')).toBe('text/plain')
    expect(response.headers.get('set-cookie')).toMatch(/^session=/)
    expect(response.headers.get('vary')).toBe('Cookie')
  })

  it('proxies an upstream fetch() response, keeping its Set-Cookie and Vary next to its own', async () => {
    const upstream = createServer((_, res) => {
      res.setHeader('set-cookie', ['upstream=1; Path=/'])
      res.setHeader('vary', 'Accept-Encoding')
      res.end('from upstream')
    })
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve))
    try {
      const { port } = upstream.address() as AddressInfo
      const { app } = setup()
      app.get('/proxy', async (c) => {
        ;(await c.var.session()).set('count', 1)
        return fetch(`http://127.0.0.1:${port}/`)
      })
      const response = await app.request('/proxy')
      expect(await response.text()).toBe('from upstream')
      expect(cookies(response).map((pair) => pair.split('=')[0])).toEqual(['upstream', 'session'])
      expect(response.headers.get('vary')).toBe('Accept-Encoding, Cookie')
    } finally {
      await new Promise((resolve) => upstream.close(resolve))
    }
  })

  it('keeps the Set-Cookie headers the app set itself', async () => {
    const { app } = setup()
    app.get('/theme', async (c) => {
      ;(await c.var.session()).set('count', 1)
      setCookie(c, 'theme', 'dark')
      setCookie(c, 'lang', 'fr')
      return c.redirect('/read', 303)
    })
    app.get('/own', async (c) => {
      ;(await c.var.session()).set('count', 1)
      return new Response('own', { headers: [['set-cookie', 'seen=1; Path=/']] })
    })
    const theme = await app.request('/theme')
    expect(cookies(theme).map((pair) => pair.split('=')[0])).toEqual(['theme', 'lang', 'session'])
    const own = await app.request('/own')
    expect(cookies(own).map((pair) => pair.split('=')[0])).toEqual(['seen', 'session'])
  })

  it('persists nothing when the handler threw, and marks the error response Vary: Cookie', async () => {
    const { store, app } = setup()
    app.get('/throw', async (c) => {
      ;(await c.var.session()).set('count', 999)
      throw new Error('handler failed')
    })
    app.get('/forbidden', async (c) => {
      ;(await c.var.session()).set('count', 999)
      throw new HTTPException(403, { message: 'no' })
    })
    const cookie = sessionCookie(await app.request('/count'))
    store.reset()
    const threw = await app.request('/throw', { headers: { cookie } })
    expect(threw.status).toBe(500)
    expect(threw.headers.get('set-cookie')).toBeNull()
    expect(threw.headers.get('vary')).toBe('Cookie')
    const forbidden = await app.request('/forbidden', { headers: { cookie } })
    expect(forbidden.status).toBe(403)
    expect(forbidden.headers.get('set-cookie')).toBeNull()
    expect(forbidden.headers.get('vary')).toBe('Cookie')
    expect(store.calls).toEqual({ get: 2, set: 0, delete: 0 })
    expect(await (await app.request('/read', { headers: { cookie } })).json()).toEqual({ count: 1 })
    // A new visitor whose handler threw gets no session either.
    const fresh = await app.request('/throw')
    expect(fresh.headers.get('set-cookie')).toBeNull()
  })

  it('persists nothing for a 5xx response but still sends Vary: Cookie', async () => {
    const { store, app } = setup()
    app.get('/fail', async (c) => {
      ;(await c.var.session()).set('count', 999)
      return c.text('failed', 503)
    })
    const failed = await app.request('/fail')
    expect(failed.status).toBe(503)
    expect(failed.headers.get('set-cookie')).toBeNull()
    expect(failed.headers.get('vary')).toBe('Cookie')
    expect(store.calls.set).toBe(0)
  })

  it('lets a store failure reach the handler, and commits nothing after it', async () => {
    const { store, app } = setup()
    app.get('/tolerant', async (c) => {
      try {
        await c.var.session()
        return c.text('loaded')
      } catch (error) {
        return c.text(error instanceof SessionStoreError ? error.code : 'other', 503)
      }
    })
    const cookie = sessionCookie(await app.request('/count'))
    store.failing = true
    store.reset()
    const tolerant = await app.request('/tolerant', { headers: { cookie } })
    expect(await tolerant.text()).toBe('SESSION_STORE_FAILED')
    expect(tolerant.headers.get('set-cookie')).toBeNull()
    // The answer still depends on the cookie, as wrap() says too.
    expect(tolerant.headers.get('vary')).toBe('Cookie')
    const failed = await app.request('/read', { headers: { cookie } })
    expect(failed.status).toBe(500)
    expect(store.calls).toEqual({ get: 2, set: 0, delete: 0 })
  })

  it('loads and commits once when mounted twice with the same Sessions', async () => {
    const { store, sessions, app } = setup()
    const admin = new Hono<SessionEnv<Data>>()
    admin.use(session(sessions))
    admin.get('/count', async (c) => {
      const session = await c.var.session()
      session.set('count', (session.get('count') ?? 0) + 10)
      return c.text('ok')
    })
    app.route('/admin', admin)
    const first = await app.request('/admin/count')
    expect(first.headers.getSetCookie()).toHaveLength(1)
    expect(store.calls).toEqual({ get: 0, set: 1, delete: 0 })
    const cookie = sessionCookie(first)
    expect(await (await app.request('/read', { headers: { cookie } })).json()).toEqual({
      count: 10,
    })
  })

  it('creates its Sessions from options, checking them at once', async () => {
    const app = new Hono<SessionEnv<Data>>()
    app.use(session<Data>({ secrets: SECRET_A, cookie: { name: 'sid' } }))
    app.get('/', async (c) => {
      ;(await c.var.session()).set('user', 'ada')
      return c.text('ok')
    })
    expect((await app.request('/')).headers.get('set-cookie')).toMatch(/^sid=/)
    expect(() => session({ secrets: 'too short' })).toThrow(SessionConfigError)
  })

  it('keeps separate Sessions apart on separate sub-apps', async () => {
    const app = new Hono()
    const make = (name: string): Sessions<Data> =>
      createSessions<Data>({ secrets: [SECRET_A], cookie: { name } })
    for (const name of ['left', 'right']) {
      const sub = new Hono<SessionEnv<Data>>()
      sub.use(session(make(name)))
      sub.get('/', async (c) => {
        ;(await c.var.session()).set('user', name)
        return c.text(name)
      })
      app.route(`/${name}`, sub)
    }
    expect(cookies(await app.request('/left'))[0]).toMatch(/^left=/)
    expect(cookies(await app.request('/right'))[0]).toMatch(/^right=/)
  })
})

// An app whose store is down: the handler's answer (a redirect with a cookie of its own and a
// public Cache-Control) cannot be committed, and Hono's error handler answers instead.
function failingCommit() {
  const store = new CountingStore()
  store.failing = true
  const app = new Hono<SessionEnv<Data>>()
  // A security header from middleware mounted before session(), which the 500 keeps.
  app.use(async (c, next) => {
    c.header('X-Frame-Options', 'DENY')
    await next()
  })
  app.use(session(createSessions<Data>({ secrets: [SECRET_A], store })))
  app.onError((_, c) => c.text('failed', 500))
  app.get('/save', async (c) => {
    const session = await c.var.session()
    session.set('count', 1)
    setCookie(c, 'theme', 'dark')
    c.header('Cache-Control', 'public, max-age=600')
    return c.redirect('/next')
  })
  return app
}

// A clean 500: the error handler's answer, with none of the failed answer's own headers, and
// those of middleware.
async function expectCleanFailure(response: Response) {
  expect(response.status).toBe(500)
  expect(await response.text()).toBe('failed')
  expect(response.headers.get('location')).toBeNull()
  expect(response.headers.get('set-cookie')).toBeNull()
  expect(response.headers.get('cache-control')).toBeNull()
  expect(response.headers.get('vary')).toBe('Cookie')
  expect(response.headers.get('x-frame-options')).toBe('DENY')
}

describe('session() when the commit fails', () => {
  it("answers with the error handler's 500 alone, through app.request()", async () => {
    await expectCleanFailure(await failingCommit().request('/save'))
  })

  it("answers with the error handler's 500 alone, on @hono/node-server", async () => {
    const app = failingCommit()
    let server!: ServerType
    const origin = await new Promise<string>((resolve) => {
      server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, (info: AddressInfo) =>
        resolve(`http://127.0.0.1:${info.port}`),
      )
    })
    try {
      await expectCleanFailure(await fetch(origin + '/save', { redirect: 'manual' }))
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()))
    }
  })
})

// On @hono/node-server the middleware writes its headers with the response head, on the
// ServerResponse behind c.env.outgoing: these stories check what reaches the client over TCP.
describe('session() on @hono/node-server', () => {
  const sessions = createSessions<Data>({ secrets: [SECRET_A], store: new CountingStore() })
  const app = new Hono<SessionEnv<Data> & { Bindings: HttpBindings }>()
  let server: ServerType
  let origin = ''

  // Mounted before session(), so it runs after it: it replaces the committed response.
  app.use('/replaced', async (c, next) => {
    await next()
    c.res = undefined
    c.res = new Response('replaced by an outer middleware')
  })
  const lateCounts = new WeakMap<Request, number>()
  // Also mounted before session(): it writes the head itself, with a flat list of names and
  // values, once the session is committed.
  app.use('/late', async (c, next) => {
    await next()
    const n = String(lateCounts.get(c.req.raw))
    c.env.outgoing.writeHead(200, ['Content-Type', 'text/plain', 'Vary', 'Origin'])
    c.env.outgoing.end(n)
  })
  // Mounted before session(): it patches the ServerResponse's own writeHead and end, as a
  // logging or compression middleware on Node does, which the session's hold must hand back.
  const patchedCalls: string[] = []
  app.use('/patched', async (c, next) => {
    const outgoing = c.env.outgoing
    const { writeHead, end } = outgoing
    outgoing.writeHead = function (this: unknown, ...args: unknown[]) {
      patchedCalls.push('writeHead')
      return (writeHead as (...args: unknown[]) => unknown).apply(this, args)
    } as never
    outgoing.end = function (this: unknown, ...args: unknown[]) {
      patchedCalls.push('end')
      return (end as (...args: unknown[]) => unknown).apply(this, args)
    } as never
    await next()
  })
  app.use(session(sessions))
  const count = async (c: { var: { session: () => Promise<Session<Data>> } }) => {
    const session = await c.var.session()
    session.set('count', (session.get('count') ?? 0) + 1)
    return session.get('count')!
  }
  app.get('/own', async (c) => {
    const n = await count(c)
    setCookie(c, 'theme', 'dark')
    c.header('Vary', 'Accept-Encoding')
    c.header('Cache-Control', 'public, max-age=60')
    return c.text(String(n))
  })
  app.get('/outgoing', async (c) => {
    const n = await count(c)
    c.env.outgoing.setHeader('Vary', 'Origin')
    c.env.outgoing.setHeader('Set-Cookie', 'early=1')
    return c.text(String(n))
  })
  app.get('/replaced', async (c) => c.text(String(await count(c))))
  app.get('/late', async (c) => {
    lateCounts.set(c.req.raw, await count(c))
    return RESPONSE_ALREADY_SENT
  })
  app.get('/patched', async (c) => c.text(String(await count(c))))
  app.get('/read', async (c) => {
    const session = await c.var.session()
    return c.text(String(session.get('count') ?? 0))
  })

  beforeAll(async () => {
    origin = await new Promise<string>((resolve) => {
      server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, (info: AddressInfo) =>
        resolve(`http://127.0.0.1:${info.port}`),
      )
    })
  })
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

  it("hands a ServerResponse's own writeHead and end back to the middleware that set them", async () => {
    patchedCalls.length = 0
    const first = await fetch(origin + '/patched')
    expect(await first.text()).toBe('1')
    expect(first.headers.get('vary')).toBe('Cookie')
    expect(patchedCalls).toEqual(['writeHead', 'end'])
    // An existing session that changed no cookie: only Vary is merged in.
    patchedCalls.length = 0
    const second = await fetch(origin + '/patched', { headers: { cookie: sessionCookie(first) } })
    expect(await second.text()).toBe('2')
    expect(second.headers.get('vary')).toBe('Cookie')
    expect(second.headers.get('set-cookie')).toBeNull()
    expect(patchedCalls).toEqual(['writeHead', 'end'])
  })

  it('merges its headers with the Vary, Cache-Control and Set-Cookie of the response', async () => {
    const response = await fetch(origin + '/own')
    expect(await response.text()).toBe('1')
    expect(response.headers.get('vary')).toBe('Accept-Encoding, Cookie')
    expect(response.headers.get('cache-control')).toBe('private, max-age=60')
    expect(cookies(response)).toEqual(['theme=dark', expect.stringMatching(/^session=.+/)])
    const again = await fetch(origin + '/read', { headers: { cookie: sessionCookie(response) } })
    expect(await again.text()).toBe('1')
  })

  it('keeps the headers the handler set on c.env.outgoing itself', async () => {
    const response = await fetch(origin + '/outgoing')
    expect(response.headers.get('vary')).toBe('Origin, Cookie')
    expect(response.headers.get('cache-control')).toBe('private')
    expect(cookies(response)).toEqual(['early=1', expect.stringMatching(/^session=.+/)])
  })

  it('reaches a response that a middleware mounted before it put in c.res', async () => {
    const response = await fetch(origin + '/replaced')
    expect(await response.text()).toBe('replaced by an outer middleware')
    expect(response.headers.get('vary')).toBe('Cookie')
    const again = await fetch(origin + '/read', { headers: { cookie: sessionCookie(response) } })
    expect(await again.text()).toBe('1')
  })

  it('reaches a head written on c.env.outgoing after it, given as a list', async () => {
    const response = await fetch(origin + '/late')
    expect(await response.text()).toBe('1')
    expect(response.headers.get('vary')).toBe('Origin, Cookie')
    expect(response.headers.get('cache-control')).toBe('private')
    const again = await fetch(origin + '/read', { headers: { cookie: sessionCookie(response) } })
    expect(await again.text()).toBe('1')
  })

  it('sends only Vary: Cookie for an existing session that did not change', async () => {
    const first = await fetch(origin + '/own')
    const cookie = sessionCookie(first)
    const response = await fetch(origin + '/read', { headers: { cookie } })
    expect(await response.text()).toBe('1')
    expect(response.headers.get('vary')).toBe('Cookie')
    expect(response.headers.get('set-cookie')).toBeNull()
    expect(response.headers.get('cache-control')).toBeNull()
  })
})

describe('session() on @hono/node-server, a handler writing its own head during the commit', () => {
  const store = new GatedStore()
  const sessions = createSessions<Data>({ secrets: [SECRET_A], store })
  const app = new Hono<SessionEnv<Data> & { Bindings: HttpBindings }>()
  const errors: unknown[] = []
  let server: ServerType
  let origin = ''
  app.use(session(sessions))
  app.onError((error, c) => {
    errors.push(error)
    return c.text('failed', 500)
  })
  app.get('/own-head', async (c) => {
    const session = await c.var.session()
    session.set('count', (session.get('count') ?? 0) + 1)
    store.whileCommitting(() => {
      c.env.outgoing.writeHead(200, { 'Content-Type': 'text/plain', Vary: 'Origin' })
      c.env.outgoing.write('count ')
      c.env.outgoing.end(String(session.get('count')))
    })
    return RESPONSE_ALREADY_SENT
  })
  app.get('/bad-head', async (c) => {
    ;(await c.var.session()).set('count', 1)
    store.whileCommitting(() => {
      // Node refuses a header value with a line break when the held call is replayed.
      c.env.outgoing.writeHead(200, { 'X-Bad': 'one\ntwo' })
      c.env.outgoing.end('never sent')
    })
    return RESPONSE_ALREADY_SENT
  })
  app.get('/piped', async (c) => {
    ;(await c.var.session()).set('count', 7)
    store.whileCommitting(() => {
      c.env.outgoing.writeHead(200, { 'Content-Type': 'text/plain' })
      Readable.from(['a', 'b', 'c']).pipe(c.env.outgoing)
    })
    return RESPONSE_ALREADY_SENT
  })
  app.get('/read', async (c) => c.text(String((await c.var.session()).get('count') ?? 0)))
  // The same Sessions mounted twice, globally and on a sub-app, on a route that writes.
  const sub = new Hono<SessionEnv<Data> & { Bindings: HttpBindings }>()
  sub.use(session(sessions))
  sub.get('/count', async (c) => {
    const session = await c.var.session()
    session.set('count', (session.get('count') ?? 0) + 1)
    return c.text(String(session.get('count')))
  })
  app.route('/twice', sub)

  beforeAll(async () => {
    origin = await new Promise<string>((resolve) => {
      server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, (info: AddressInfo) =>
        resolve(`http://127.0.0.1:${info.port}`),
      )
    })
  })
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))
  afterEach(() => {
    store.reset()
    errors.length = 0
  })

  it('holds that head until the session is committed, then sends it with the cookie', async () => {
    const response = await fetch(origin + '/own-head')
    expect(await response.text()).toBe('count 1')
    expect(response.headers.get('vary')).toBe('Origin, Cookie')
    expect(response.headers.get('cache-control')).toBe('private')
    const again = await fetch(origin + '/read', { headers: { cookie: sessionCookie(response) } })
    expect(await again.text()).toBe('1')
  })

  it('sends that head without a cookie when the commit fails, and reports the error', async () => {
    store.failing = true
    // @hono/node-server reports that it could not send the error handler's 500 after the head.
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {})
    const response = await fetch(origin + '/own-head')
    expect(response.headers.get('set-cookie')).toBeNull()
    await response.text().catch(() => '')
    expect(errors).toEqual([expect.any(SessionStoreError)])
    logged.mockRestore()
    // The server goes on serving.
    expect((await fetch(origin + '/read')).status).toBe(200)
  })

  it('hands an error of a held call to the error handler, which answers before any head', async () => {
    const response = await fetch(origin + '/bad-head')
    expect(response.status).toBe(500)
    expect(await response.text()).toBe('failed')
    expect(errors).toEqual([expect.objectContaining({ code: 'ERR_INVALID_CHAR' })])
  })

  it('lets a stream piped in while holding wait, then sends all of it', async () => {
    const response = await fetch(origin + '/piped')
    expect(await response.text()).toBe('abc')
    const again = await fetch(origin + '/read', { headers: { cookie: sessionCookie(response) } })
    expect(await again.text()).toBe('7')
  })

  it('sends the cookie when mounted twice, globally and on a sub-app', async () => {
    const first = await fetch(origin + '/twice/count')
    expect(await first.text()).toBe('1')
    expect(first.headers.get('vary')).toBe('Cookie')
    const cookie = sessionCookie(first)
    const second = await fetch(origin + '/twice/count', { headers: { cookie } })
    expect(await second.text()).toBe('2')
  })
})
