import { createServer } from 'node:http'
import type { Server } from 'node:http'
import { createRequire } from 'node:module'
import express from 'express'
import type { ErrorRequestHandler, Request } from 'express'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createSessions, MemoryStore } from '@fetch-session/core'
import type { SessionVersion, SessionWrite } from '@fetch-session/core'
import { SECRET_A } from '@fetch-session/test-support'
import { sessionErrorHandler } from './session-error-handler.ts'
import { sessionMiddleware } from './session-middleware.ts'
import type { SessionRequest } from './session-middleware.ts'
import { cookiePairs, rawRequest } from './test-support/raw-request.ts'
import { close, listen } from './test-support/servers.ts'

interface Data {
  count: number
}

const require = createRequire(import.meta.url)

// Both majors in use. Express 4 ships no types; the calls made here are typed alike in 4 and 5.
// Express 4 does not await a handler's promise: its apps pass a rejection on with `.catch(next)`.
const EXPRESS = [
  { name: 'Express 5', express, packageName: 'express', major: 5 },
  {
    name: 'Express 4',
    express: require('express-4') as typeof express,
    packageName: 'express-4',
    major: 4,
  },
]

// Counts the writes that reach the store, so that "nothing persisted" is seen at the source.
class CountingStore extends MemoryStore {
  writes = 0

  override async write(
    id: string,
    write: SessionWrite,
    expected: SessionVersion | null,
  ): Promise<SessionVersion | null> {
    this.writes++
    return super.write(id, write, expected)
  }
}

function refused(status: number): Error {
  return Object.assign(new Error('refused'), { status })
}

function session(req: Request) {
  return (req as SessionRequest<Data, typeof req>).session
}

describe.each(EXPRESS)('sessionErrorHandler() on $name', ({ express, packageName, major }) => {
  const store = new CountingStore()
  const seen: unknown[] = []
  let server: Server
  let base: string

  beforeAll(async () => {
    const app = express()
    app.use(sessionMiddleware(createSessions<Data>({ secrets: SECRET_A, store })))
    app.get('/count', (req, res) => {
      const count = (session(req).get('count') ?? 0) + 1
      session(req).set('count', count)
      res.json({ count })
    })
    // Each changes the session, then fails in one of the three ways Express knows.
    app.get('/throw/:status', (req) => {
      session(req).set('count', 999)
      throw refused(Number(req.params.status))
    })
    const rejecting = async (req: Request) => {
      session(req).set('count', 999)
      await Promise.resolve()
      throw refused(Number(req.params.status))
    }
    if (major >= 5) app.get('/reject/:status', rejecting)
    else app.get('/reject/:status', (req, _res, next) => void rejecting(req).catch(next))
    app.get('/next/:status', (req, _res, next) => {
      session(req).set('count', 999)
      next(refused(Number(req.params.status)))
    })
    // No error handler of the app's own: Express's final handler answers with `error.status`.
    const inner = express.Router()
    inner.get('/throw/:status', (req) => {
      session(req).set('count', 999)
      throw refused(Number(req.params.status))
    })
    app.use('/final', inner)
    app.use(sessionErrorHandler())
    app.use(((error, req, res, next) => {
      if (req.path.startsWith('/final')) return next(error)
      seen.push(error)
      res.status((error as { status: number }).status).send('refused')
    }) satisfies ErrorRequestHandler)
    server = createServer(app)
    base = await listen(server)
  })
  afterAll(() => close(server))

  it(`runs on Express ${major}`, () => {
    const { version } = require(`${packageName}/package.json`) as { version: string }
    expect(require(packageName)).toBe(express)
    expect(version.split('.')[0]).toBe(String(major))
  })

  async function count(cookie: string): Promise<number> {
    const response = await rawRequest(base + '/count', { headers: { cookie } })
    return (JSON.parse(response.body.toString()) as { count: number }).count
  }

  it.each([400, 403])(
    'saves nothing of a handler that throws, rejects or calls next(error), answered %i',
    async (status) => {
      const first = await rawRequest(base + '/count')
      const cookie = cookiePairs(first)[0]!
      for (const way of ['throw', 'reject', 'next']) {
        const writes = store.writes
        const failed = await rawRequest(`${base}/${way}/${status}`, { headers: { cookie } })
        expect([way, failed.status, failed.body.toString()]).toEqual([way, status, 'refused'])
        expect(failed.headers['set-cookie']).toBeUndefined()
        expect(failed.headers.vary).toBe('Cookie')
        expect(store.writes).toBe(writes)
      }
      // The session is as the last good request left it, and good requests still save.
      expect(await count(cookie)).toBe(2)
      expect(await count(cookie)).toBe(3)
    },
  )

  it('gives a new session of a failed handler no cookie and no record', async () => {
    const writes = store.writes
    const failed = await rawRequest(base + '/throw/400')
    expect(failed.status).toBe(400)
    expect(failed.headers['set-cookie']).toBeUndefined()
    expect(failed.headers.vary).toBe('Cookie')
    expect(store.writes).toBe(writes)
  })

  it('passes the error on unchanged to the next error handler', async () => {
    seen.length = 0
    await rawRequest(base + '/next/403')
    expect(seen).toEqual([expect.objectContaining({ message: 'refused', status: 403 })])
  })

  it("also keeps the change out when Express's final handler answers with the error's status", async () => {
    const first = await rawRequest(base + '/count')
    const cookie = cookiePairs(first)[0]!
    const writes = store.writes
    const failed = await rawRequest(base + '/final/throw/403', { headers: { cookie } })
    expect(failed.status).toBe(403)
    expect(failed.headers['set-cookie']).toBeUndefined()
    expect(failed.headers.vary).toBe('Cookie')
    expect(store.writes).toBe(writes)
    expect(await count(cookie)).toBe(2)
  })
})
