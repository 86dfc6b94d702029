import { randomBytes } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createServer } from 'node:http'
import type { RequestListener, Server } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { once } from 'node:events'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import express from 'express'
import type { ErrorRequestHandler } from 'express'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createSessions, MemoryStore, SessionStoreError } from '@fetch-session/core'
import type { SessionsOptions, SessionStore } from '@fetch-session/core'
import { SECRET_A } from '@fetch-session/test-support'
import { sessionMiddleware } from './session-middleware.ts'
import type { SessionRequest } from './session-middleware.ts'
import { withSession } from './with-session.ts'
import { FailingStore } from './test-support/failing-store.ts'
import { cookiePairs, rawRequest } from './test-support/raw-request.ts'
import { close, listen } from './test-support/servers.ts'

interface Data {
  count: number
}

const servers: Server[] = []
afterEach(async () => {
  await Promise.all(servers.map(close))
  servers.length = 0
})

let directory: string
beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'fetch-session-middleware-'))
})
afterAll(() => rm(directory, { recursive: true, force: true }))

async function start(listener: RequestListener): Promise<string> {
  const server = createServer(listener)
  servers.push(server)
  return listen(server)
}

function sessionsFor(
  store: SessionStore = new MemoryStore(),
  options: Partial<SessionsOptions> = {},
) {
  return createSessions<Data>({ secrets: SECRET_A, store, ...options })
}

// Counts visits: the simplest write, so that every response sets or keeps the cookie.
function visit(req: { session: SessionRequest<Data>['session'] }): number {
  const count = (req.session.get('count') ?? 0) + 1
  req.session.set('count', count)
  return count
}

const sessionCookie = /^session=[^;]+; Max-Age=1209600; Path=\/; HttpOnly; Secure; SameSite=Lax$/

describe('sessionMiddleware() on Express', () => {
  it("adds its Set-Cookie to the app's, merges Vary and keeps the app's Cache-Control", async () => {
    const app = express()
    app.use(sessionMiddleware(sessionsFor()))
    app.get('/', (req, res) => {
      visit(req as SessionRequest<Data, typeof req>)
      res.cookie('theme', 'dark')
      res.append('Set-Cookie', 'lang=en; Path=/')
      res.vary('Accept-Encoding')
      res.set('Cache-Control', 'no-store')
      res.send('ok')
    })
    const response = await rawRequest(await start(app))
    expect(response.body.toString()).toBe('ok')
    expect(response.headers['set-cookie']).toEqual([
      'theme=dark; Path=/',
      'lang=en; Path=/',
      expect.stringMatching(sessionCookie),
    ])
    expect(response.headers.vary).toBe('Accept-Encoding, Cookie')
    expect(response.headers['cache-control']).toBe('no-store')
  })

  it('sends a large piped stream intact, after the cookie', async () => {
    const payload = randomBytes(3 * 1024 * 1024)
    const app = express()
    app.use(sessionMiddleware(sessionsFor()))
    app.get('/download', (req, res) => {
      visit(req as SessionRequest<Data, typeof req>)
      res.type('application/octet-stream')
      Readable.from(chunks(payload, 16 * 1024)).pipe(res)
    })
    const response = await rawRequest((await start(app)) + '/download')
    expect(response.headers['set-cookie']).toEqual([expect.stringMatching(sessionCookie)])
    expect(response.body.equals(payload)).toBe(true)
  })

  it('works with res.sendFile()', async () => {
    const file = join(directory, 'hello.txt')
    await writeFile(file, 'hello from a file')
    const app = express()
    app.use(sessionMiddleware(sessionsFor()))
    app.get('/file', (req, res) => {
      visit(req as SessionRequest<Data, typeof req>)
      res.sendFile(file)
    })
    const response = await rawRequest((await start(app)) + '/file')
    expect(response.status).toBe(200)
    expect(response.body.toString()).toBe('hello from a file')
    expect(response.headers['set-cookie']).toEqual([expect.stringMatching(sessionCookie)])
  })

  it('keeps the session across requests and commits once when mounted twice', async () => {
    const sessions = sessionsFor()
    const app = express()
    const router = express.Router()
    router.use(sessionMiddleware(sessions))
    router.get('/count', (req, res) => {
      res.json({ count: visit(req as SessionRequest<Data, typeof req>) })
    })
    app.use(sessionMiddleware(sessions))
    app.use('/inner', router)
    const base = await start(app)
    const first = await rawRequest(base + '/inner/count')
    expect(JSON.parse(first.body.toString())).toEqual({ count: 1 })
    expect(first.headers['set-cookie']).toHaveLength(1)
    const cookie = cookiePairs(first)[0]!
    const second = await rawRequest(base + '/inner/count', { headers: { cookie } })
    expect(JSON.parse(second.body.toString())).toEqual({ count: 2 })
    expect(second.headers['set-cookie']).toBeUndefined()
  })

  it('makes res.headersSent true from the first write, and refuses a late writeHead', async () => {
    const seen: unknown[] = []
    const app = express()
    app.use(sessionMiddleware(sessionsFor()))
    app.get('/', (req, res) => {
      visit(req as SessionRequest<Data, typeof req>)
      seen.push(res.headersSent)
      res.write('a')
      seen.push(res.headersSent)
      try {
        res.writeHead(201)
      } catch (error) {
        seen.push((error as { code?: string }).code)
      }
      res.end('b')
    })
    const response = await rawRequest(await start(app))
    expect(seen).toEqual([false, true, 'ERR_HTTP_HEADERS_SENT'])
    expect(response.status).toBe(200)
    expect(response.body.toString()).toBe('ab')
    expect(response.headers['set-cookie']).toHaveLength(1)
  })

  it('tells onError about a change made after the response started, which is not saved', async () => {
    const errors: unknown[] = []
    const app = express()
    app.use(sessionMiddleware(sessionsFor(), { onError: (error) => errors.push(error) }))
    app.get('/:status', (req, res) => {
      const count = visit(req as SessionRequest<Data, typeof req>)
      res.status(Number(req.params.status)).send(String(count))
      ;(req as SessionRequest<Data, typeof req>).session.set('count', 100)
    })
    const base = await start(app)
    const first = await rawRequest(base + '/200')
    expect(first.body.toString()).toBe('1')
    expect(errors).toEqual([expect.objectContaining({ code: 'SESSION_CHANGED_AFTER_HEAD' })])
    const cookie = cookiePairs(first)[0]!
    expect((await rawRequest(base + '/200', { headers: { cookie } })).body.toString()).toBe('2')
    // At 500 nothing is saved anyway: nothing to report.
    await rawRequest(base + '/500', { headers: { cookie } })
    expect(errors).toHaveLength(2)
  })

  it('follows the scheme Express trusts when cookie.secure is "auto"', async () => {
    const app = express()
    app.set('trust proxy', true)
    app.use(sessionMiddleware(sessionsFor(undefined, { cookie: { secure: 'auto' } })))
    app.get('/', (req, res) => {
      visit(req as SessionRequest<Data, typeof req>)
      res.send('ok')
    })
    const base = await start(app)
    const behindTls = await rawRequest(base, { headers: { 'x-forwarded-proto': 'https' } })
    expect(behindTls.headers['set-cookie']?.[0]).toMatch(/; Secure/)
    const plain = await rawRequest(base)
    expect(plain.headers['set-cookie']?.[0]).not.toMatch(/Secure/)
  })

  describe('when the store fails', () => {
    async function setup(errorHandler?: ErrorRequestHandler) {
      const store = new FailingStore()
      const errors: unknown[] = []
      const ran: string[] = []
      const app = express()
      // A security header set by earlier middleware, as helmet would.
      app.use((_req, res, next) => {
        res.set('content-security-policy', "default-src 'self'")
        next()
      })
      app.use(sessionMiddleware(sessionsFor(store)))
      app.get('/', (req, res) => {
        ran.push('handler')
        visit(req as SessionRequest<Data, typeof req>)
        res.set('x-handler', 'yes')
        res.set('location', '/elsewhere')
        res.set('cache-control', 'public, max-age=600')
        res.cookie('theme', 'dark')
        res.send('handler body')
      })
      if (errorHandler !== undefined) {
        app.use(((error, req, res, next) => {
          errors.push(error)
          errorHandler(error, req, res, next)
        }) satisfies ErrorRequestHandler)
      }
      const base = await start(app)
      const first = await rawRequest(base)
      const cookie = cookiePairs(first).find((pair) => pair.startsWith('session='))!
      const id = cookie.slice('session='.length).split('.')[0]!
      ran.length = 0
      return { store, errors, ran, base, cookie, id }
    }
    const sorry: ErrorRequestHandler = (_error, _req, res, _next) => {
      res.status(503).send('sorry')
    }

    it('passes a failed load to next(error) instead of the handler', async () => {
      const { store, errors, ran, base, cookie, id } = await setup(sorry)
      store.failGet = true
      const response = await rawRequest(base, { headers: { cookie } })
      expect(response.status).toBe(503)
      expect(response.body.toString()).toBe('sorry')
      expect(ran).toEqual([])
      expect(errors).toHaveLength(1)
      expect(errors[0]).toBeInstanceOf(SessionStoreError)
      expect((errors[0] as Error).message).not.toContain(id)
    })

    it("passes a failed commit to next(error), discarding the handler's answer only", async () => {
      const { store, errors, ran, base, cookie, id } = await setup(sorry)
      store.failSet = true
      const response = await rawRequest(base, { headers: { cookie } })
      expect(ran).toEqual(['handler'])
      expect(response.status).toBe(503)
      expect(response.body.toString()).toBe('sorry')
      // What described the handler's answer goes; headers that describe neither stay.
      expect(response.headers['location']).toBeUndefined()
      expect(response.headers['content-length']).toBe('5')
      expect(response.headers['content-security-policy']).toBe("default-src 'self'")
      expect(response.headers['x-handler']).toBe('yes')
      expect(response.headers['set-cookie']).toBeUndefined()
      expect(response.headers['cache-control']).toBeUndefined()
      expect(response.headers['vary']).toBe('Cookie')
      expect(errors).toHaveLength(1)
      expect(errors[0]).toBeInstanceOf(SessionStoreError)
      expect((errors[0] as Error).message).not.toContain(id)
    })

    it('sends none of a piped stream when committing fails', async () => {
      const store = new FailingStore()
      const app = express()
      app.use(sessionMiddleware(sessionsFor(store)))
      app.get('/', (req, res) => {
        visit(req as SessionRequest<Data, typeof req>)
        Readable.from(chunks(Buffer.alloc(256 * 1024, 'x'), 1024)).pipe(res)
      })
      app.use(sorry)
      store.failSet = true
      const response = await rawRequest(await start(app))
      expect(response.status).toBe(503)
      expect(response.body.toString()).toBe('sorry')
    })

    it("reaches Express's own error handler as a 500 that does not show the id", async () => {
      const { store, base, cookie, id } = await setup()
      store.failGet = true
      const loadFailed = await rawRequest(base, { headers: { cookie } })
      expect(loadFailed.status).toBe(500)
      expect(loadFailed.body.toString()).toContain('SessionStoreError')
      expect(loadFailed.body.toString()).not.toContain(id)
      store.failGet = false
      store.failSet = true
      const commitFailed = await rawRequest(base, { headers: { cookie } })
      expect(commitFailed.status).toBe(500)
      expect(commitFailed.body.toString()).not.toContain(id)
      expect(commitFailed.body.toString()).not.toContain('handler body')
    })
  })
})

describe('withSession() on node:http', () => {
  it('merges the headers given to writeHead, as an object or as a raw array', async () => {
    const base = await start(
      withSession(sessionsFor(), (req, res) => {
        visit(req)
        if (req.url === '/object') {
          res.writeHead(200, { 'Set-Cookie': ['a=1', 'b=2'], Vary: 'Accept' }).end('object')
        } else {
          res.setHeader('Set-Cookie', 'replaced=1')
          res.writeHead(200, 'Fine', ['Set-Cookie', 'a=1', 'Set-Cookie', 'b=2', 'Vary', 'Accept'])
          res.end('array')
        }
      }),
    )
    for (const path of ['/object', '/array']) {
      const response = await rawRequest(base + path)
      expect(response.body.toString()).toBe(path.slice(1))
      expect(response.headers['set-cookie']).toEqual([
        'a=1',
        'b=2',
        expect.stringMatching(sessionCookie),
      ])
      expect(response.headers.vary).toBe('Accept, Cookie')
      expect(response.headers['cache-control']).toBe('private')
    }
  })

  it('sends a large stream through pipeline() intact, after the cookie', async () => {
    const payload = randomBytes(3 * 1024 * 1024)
    const base = await start(
      withSession(sessionsFor(), async (req, res) => {
        visit(req)
        res.setHeader('content-type', 'application/octet-stream')
        await pipeline(Readable.from(chunks(payload, 64 * 1024)), res)
      }),
    )
    const response = await rawRequest(base)
    expect(response.headers['set-cookie']).toEqual([expect.stringMatching(sessionCookie)])
    expect(response.body.equals(payload)).toBe(true)
  })

  it('finds the session whatever the client sent around it', async () => {
    const base = await start(
      withSession(sessionsFor(), (req, res) => {
        res.end(String(visit(req)))
      }),
    )
    const first = await rawRequest(base)
    const cookie = cookiePairs(first)[0]!
    // Two Cookie headers (as HTTP/2 clients send them), and a Host header that is no host.
    const second = await rawRequest(base, {
      headers: ['Host', 'not a host/../@x', 'Cookie', 'theme=dark', 'Cookie', cookie],
    })
    expect(second.body.toString()).toBe('2')
  })

  it('serves methods that Fetch refuses, such as TRACE', async () => {
    const base = await start(
      withSession(sessionsFor(), (req, res) => {
        res.end(`${req.method} ${visit(req)}`)
      }),
    )
    const response = await rawRequest(base, { method: 'TRACE' })
    expect(response.body.toString()).toBe('TRACE 1')
    expect(response.headers['set-cookie']).toHaveLength(1)
  })

  it('refuses an invalid status or chunk at the call, as Node does', async () => {
    const seen: unknown[] = []
    const base = await start(
      withSession(sessionsFor(), (req, res) => {
        visit(req)
        try {
          res.writeHead(42)
        } catch (error) {
          seen.push((error as { code?: string }).code)
        }
        try {
          res.write(42 as never)
        } catch (error) {
          seen.push((error as { code?: string }).code)
        }
        res.writeHead(202).end('accepted')
      }),
    )
    const response = await rawRequest(base)
    expect(seen).toEqual(['ERR_HTTP_INVALID_STATUS_CODE', 'ERR_INVALID_ARG_TYPE'])
    expect(response.status).toBe(202)
    expect(response.headers['set-cookie']).toHaveLength(1)
  })

  it('lets middleware that see res._header still null write the same head again', async () => {
    const seen: unknown[] = []
    const base = await start(
      withSession(sessionsFor(), (req, res) => {
        visit(req)
        res.write('a')
        // What compression 1.7 and express-session do before each write.
        const internals = res as unknown as { _header: unknown; _implicitHeader(): void }
        seen.push(internals._header)
        internals._implicitHeader()
        res.writeHead(200)
        try {
          res.writeHead(200, { 'x-late': 'yes' })
        } catch (error) {
          seen.push((error as { code?: string }).code)
        }
        res.end('b')
      }),
    )
    const response = await rawRequest(base)
    expect(seen).toEqual([null, 'ERR_HTTP_HEADERS_SENT'])
    expect(response.status).toBe(200)
    expect(response.body.toString()).toBe('ab')
    expect(response.headers['x-late']).toBeUndefined()
    expect(response.headers['set-cookie']).toHaveLength(1)
  })

  it('sends the status the session was committed for, ignoring one set after', async () => {
    const sessions = sessionsFor()
    const base = await start(
      withSession(sessions, (req, res) => {
        const count = visit(req)
        res.write(String(count))
        res.statusCode = 500
        res.end()
      }),
    )
    const first = await rawRequest(base)
    expect(first.status).toBe(200)
    const cookie = cookiePairs(first)[0]!
    expect((await rawRequest(base, { headers: { cookie } })).body.toString()).toBe('2')
  })

  it('saves the session as it was at the first write, and reports later changes', async () => {
    const errors: unknown[] = []
    const base = await start(
      withSession(
        sessionsFor(),
        (req, res) => {
          const count = visit(req)
          res.write(`${count} `)
          if (req.url === '/set') req.session.set('count', 100)
          if (req.url === '/regenerate') req.session.regenerate()
          res.end('done')
        },
        { onError: (error) => errors.push(error) },
      ),
    )
    const first = await rawRequest(base)
    expect(first.body.toString()).toBe('1 done')
    expect(errors).toEqual([])
    const cookie = cookiePairs(first)[0]!
    const late = await rawRequest(base + '/set', { headers: { cookie } })
    expect(late.body.toString()).toBe('2 done')
    expect(errors).toEqual([expect.objectContaining({ code: 'SESSION_CHANGED_AFTER_HEAD' })])
    // The visit counted before the first write was saved; the 100 set after it was not.
    expect((await rawRequest(base, { headers: { cookie } })).body.toString()).toBe('3 done')
    const regenerated = await rawRequest(base + '/regenerate', { headers: { cookie } })
    expect(regenerated.headers['set-cookie']).toBeUndefined()
    expect(errors).toHaveLength(2)
  })

  it('answers 500 without running the handler when loading fails, and tells onError', async () => {
    const store = new FailingStore()
    const errors: unknown[] = []
    let runs = 0
    const base = await start(
      withSession(
        sessionsFor(store),
        (req, res) => {
          runs++
          res.end(String(visit(req)))
        },
        { onError: (error) => errors.push(error) },
      ),
    )
    const cookie = cookiePairs(await rawRequest(base))[0]!
    const id = cookie.slice('session='.length).split('.')[0]!
    store.failGet = true
    const response = await rawRequest(base, { headers: { cookie } })
    expect(response.status).toBe(500)
    expect(response.body.toString()).toBe('Internal Server Error')
    expect(runs).toBe(1)
    expect(errors).toHaveLength(1)
    expect(errors[0]).toBeInstanceOf(SessionStoreError)
    expect((errors[0] as Error).message).not.toContain(id)
  })

  it("answers 500 when committing fails, discarding the handler's response", async () => {
    const store = new FailingStore()
    const errors: unknown[] = []
    const base = await start(
      withSession(
        sessionsFor(store),
        (req, res) => {
          visit(req)
          res.writeHead(201, { 'x-handler': 'yes', 'content-length': '12' }).end('handler body')
        },
        { onError: (error) => errors.push(error) },
      ),
    )
    store.failSet = true
    const response = await rawRequest(base)
    expect(response.status).toBe(500)
    expect(response.body.toString()).toBe('Internal Server Error')
    expect(response.headers['x-handler']).toBeUndefined()
    expect(response.headers['set-cookie']).toBeUndefined()
    expect(errors[0]).toBeInstanceOf(SessionStoreError)
  })

  it("gives held writes' callbacks the commit error, and 'drain' after the 500", async () => {
    const store = new FailingStore()
    const errors: unknown[] = []
    const seen: unknown[] = []
    let handlerDone!: Promise<void>
    const base = await start(
      withSession(
        sessionsFor(store),
        (req, res) => {
          visit(req)
          handlerDone = (async () => {
            if (!res.write('first part', (error) => seen.push(error))) await once(res, 'drain')
            // The 500 went out in place of this response: later writes fail as after end().
            seen.push(res.writableEnded)
            seen.push(await new Promise((resolve) => res.write('more', resolve)))
          })()
          return handlerDone
        },
        { onError: (error) => errors.push(error) },
      ),
    )
    store.failSet = true
    const response = await rawRequest(base)
    expect(response.status).toBe(500)
    expect(response.body.toString()).toBe('Internal Server Error')
    await handlerDone
    expect(seen).toEqual([expect.any(SessionStoreError), true, expect.any(Error)])
    expect(errors).toEqual([expect.any(SessionStoreError)])
  })

  it('settles a pipeline() into the response when committing fails', async () => {
    const store = new FailingStore()
    let settled!: Promise<unknown>
    const base = await start(
      withSession(sessionsFor(store), (req, res) => {
        visit(req)
        settled = pipeline(Readable.from(chunks(randomBytes(256 * 1024), 1024)), res).then(
          () => 'resolved',
          (error: { code?: string }) => error.code,
        )
      }),
    )
    store.failSet = true
    const response = await rawRequest(base)
    expect(response.status).toBe(500)
    expect(response.body.toString()).toBe('Internal Server Error')
    expect(await settled).toBe('ERR_STREAM_PREMATURE_CLOSE')
  })

  it('answers 500 and persists nothing when an async handler rejects', async () => {
    const errors: unknown[] = []
    const base = await start(
      withSession(
        sessionsFor(),
        async (req, res) => {
          visit(req)
          await Promise.resolve()
          if (req.url === '/fail') throw new Error('handler failed')
          res.end(String(req.session.get('count')))
        },
        { onError: (error) => errors.push(error) },
      ),
    )
    const first = await rawRequest(base)
    const cookie = cookiePairs(first)[0]!
    const failed = await rawRequest(base + '/fail', { headers: { cookie } })
    expect(failed.status).toBe(500)
    expect(failed.headers['set-cookie']).toBeUndefined()
    expect(failed.headers.vary).toBe('Cookie')
    expect(errors).toEqual([new Error('handler failed')])
    // The failed request's increment was not saved.
    expect((await rawRequest(base, { headers: { cookie } })).body.toString()).toBe('2')
  })

  it('still sends a response the handler ended before throwing', async () => {
    const errors: unknown[] = []
    const base = await start(
      withSession(
        sessionsFor(),
        (req, res) => {
          visit(req)
          res.end('done')
          throw new Error('after the end')
        },
        { onError: (error) => errors.push(error) },
      ),
    )
    const response = await rawRequest(base)
    expect(response.status).toBe(200)
    expect(response.body.toString()).toBe('done')
    expect(response.headers['set-cookie']).toHaveLength(1)
    expect(errors).toEqual([new Error('after the end')])
  })
})

function* chunks(buffer: Buffer, size: number): Generator<Buffer> {
  for (let offset = 0; offset < buffer.length; offset += size) {
    yield buffer.subarray(offset, offset + size)
  }
}
