import { randomBytes } from 'node:crypto'
import { createServer } from 'node:http'
import type { Server } from 'node:http'
import { Readable } from 'node:stream'
import { setTimeout as sleep } from 'node:timers/promises'
import { gunzipSync } from 'node:zlib'
import { createRequire } from 'node:module'
import compression18 from 'compression'
import express from 'express'
import type { ErrorRequestHandler, RequestHandler } from 'express'
import { afterEach, describe, expect, it } from 'vitest'
import { createSessions, MemoryStore } from '@fetch-session/core'
import type { SessionVersion, SessionWrite } from '@fetch-session/core'
import { SECRET_A } from '@fetch-session/test-support'
import { sessionMiddleware } from './session-middleware.ts'
import type { SessionRequest } from './session-middleware.ts'
import { rawRequest } from './test-support/raw-request.ts'
import type { RawResponse } from './test-support/raw-request.ts'
import { close, listen } from './test-support/servers.ts'

// The 1.7 line, installed under an alias next to the current one; it ships no types.
const compression174 = createRequire(import.meta.url)('compression-1.7.4') as typeof compression18

interface Data {
  count: number
}

// A store whose writes take a while, so that the handler's writes pile up behind the commit.
class SlowStore extends MemoryStore {
  failSet = false

  override async write(
    id: string,
    write: SessionWrite,
    expected: SessionVersion | null,
  ): Promise<SessionVersion | null> {
    await sleep(30)
    if (this.failSet) throw new Error('store down')
    return super.write(id, write, expected)
  }
}

const servers: Server[] = []
afterEach(async () => {
  await Promise.all(servers.map(close))
  servers.length = 0
})

// compression 1.7 looks at Node's private `res._header` and calls `res._implicitHeader()`;
// 1.8 looks at `res.headersSent` and calls `res.writeHead()`. Both wrap write, end and on().
const versions = [
  ['compression 1.7.4', compression174],
  ['compression 1.8', compression18],
] as const
const orders = ['sessions first', 'compression first'] as const
const encodings = ['identity', 'gzip'] as const
// Small chunks never fill the gzip stream's buffer, large ones do: its 'drain' differs.
const pipes = encodings.flatMap((encoding) =>
  [1024, 64 * 1024].map((size) => [encoding, size] as const),
)

async function start(
  compression: () => RequestHandler,
  order: (typeof orders)[number],
  route: RequestHandler,
  store = new SlowStore(),
): Promise<string> {
  const sessions = createSessions<Data>({ secrets: SECRET_A, store })
  const app = express()
  const middlewares = [sessionMiddleware(sessions) as RequestHandler, compression()]
  if (order === 'compression first') middlewares.reverse()
  app.use(...middlewares)
  app.get('/', (req, res, next) => {
    const session = (req as SessionRequest<Data, typeof req>).session
    session.set('count', (session.get('count') ?? 0) + 1)
    route(req, res, next)
  })
  app.use(((_error, _req, res, _next) => {
    res.status(503).send('sorry')
  }) satisfies ErrorRequestHandler)
  const server = createServer(app)
  servers.push(server)
  return listen(server)
}

function body(response: RawResponse): Buffer {
  return response.headers['content-encoding'] === 'gzip' ? gunzipSync(response.body) : response.body
}

describe.each(versions)('sessionMiddleware() with %s', (_name, compression) => {
  describe.each(orders)('%s', (order) => {
    it.each(encodings)('sends a response written in several calls (%s)', async (encoding) => {
      const base = await start(compression, order, (_req, res) => {
        res.type('text')
        res.write('a')
        res.write('b')
        res.end('c')
      })
      const response = await rawRequest(base, { headers: { 'accept-encoding': encoding } })
      expect(response.status).toBe(200)
      expect(body(response).toString()).toBe('abc')
      expect(response.headers['set-cookie']).toHaveLength(1)
      expect(response.headers['content-encoding']).toBe(encoding === 'gzip' ? 'gzip' : undefined)
    })

    it.each(pipes)(
      'sends a piped stream intact (%s, chunks of %i bytes)',
      async (encoding, size) => {
        const payload = randomBytes(256 * 1024)
        const base = await start(compression, order, (_req, res) => {
          res.type('application/octet-stream')
          Readable.from(chunks(payload, size)).pipe(res)
        })
        const response = await rawRequest(base, { headers: { 'accept-encoding': encoding } })
        expect(response.status).toBe(200)
        expect(body(response).equals(payload)).toBe(true)
        expect(response.headers['set-cookie']).toHaveLength(1)
      },
    )

    it.each(encodings)(
      'answers through the error handler, or closes, when committing fails (%s)',
      async (encoding) => {
        const store = new SlowStore()
        store.failSet = true
        const base = await start(
          compression,
          order,
          (_req, res) => {
            res.type('application/octet-stream')
            Readable.from(chunks(randomBytes(256 * 1024), 1024)).pipe(res)
          },
          store,
        )
        const request = rawRequest(base, { headers: { 'accept-encoding': encoding } })
        if (order === 'sessions first') {
          // compression, mounted after, saw the discarded response: it cannot carry another.
          await expect(request).rejects.toThrow('socket hang up')
          return
        }
        const response = await request
        expect(response.status).toBe(503)
        expect(body(response).toString()).toBe('sorry')
        expect(response.headers['set-cookie']).toBeUndefined()
      },
    )

    it('sends a small res.send() compressed or not as compression decides', async () => {
      const base = await start(compression, order, (_req, res) => {
        res.send('small')
      })
      const response = await rawRequest(base, { headers: { 'accept-encoding': 'gzip' } })
      expect(body(response).toString()).toBe('small')
      expect(response.headers['set-cookie']).toHaveLength(1)
    })
  })
})

function* chunks(buffer: Buffer, size: number): Generator<Buffer> {
  for (let offset = 0; offset < buffer.length; offset += size) {
    yield buffer.subarray(offset, offset + size)
  }
}
