import { createServer, IncomingMessage, request as httpRequest, ServerResponse } from 'node:http'
import type { IncomingHttpHeaders, Server } from 'node:http'
import { afterEach, describe, expect, it } from 'vitest'
import { CookieStore, createSessions, SessionStoreError } from '@fetch-session/core'
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response'
import { GatedStore, SECRET_A } from '@fetch-session/test-support'
import { createListener } from './request-listener.ts'
import type { FetchHandler } from './request-listener.ts'
import { rememberIncoming, remoteAddress } from './remote-address.ts'
import { serve } from './serve.ts'
import { FailingStore } from './test-support/failing-store.ts'
import { baseUrl, close, listen } from './test-support/servers.ts'

const servers: Server[] = []
afterEach(async () => {
  await Promise.all(servers.map(close))
  servers.length = 0
})

async function start(handler: FetchHandler, options = {}): Promise<string> {
  const server = await serve(handler, { port: 0, hostname: '127.0.0.1', ...options })
  servers.push(server)
  return baseUrl(server)
}

// A raw HTTP/1.1 exchange, to see headers exactly as they travel.
function raw(
  url: string,
  options: { method?: string; headers?: string[] } = {},
): Promise<{ status: number; headers: IncomingHttpHeaders; rawHeaders: string[] }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: options.method ?? 'GET', headers: options.headers })
    req.on('response', (res) => {
      res.resume()
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          rawHeaders: res.rawHeaders,
        }),
      )
    })
    req.on('error', reject)
    req.end()
  })
}

describe('serve()', () => {
  it('hands the handler the URL, method, headers and body as the client sent them', async () => {
    const base = await start(async (request) => {
      const body = new Uint8Array(await request.arrayBuffer())
      return Response.json({
        url: request.url,
        method: request.method,
        type: request.headers.get('content-type'),
        multi: request.headers.get('x-multi'),
        body: [...body],
      })
    })
    const bytes = Uint8Array.from({ length: 256 }, (_, i) => i)
    const response = await fetch(`${base}/caf%C3%A9/%2F..%2Fx?q=a%20b&q=c#fragment`, {
      method: 'PATCH',
      headers: [
        ['content-type', 'application/octet-stream'],
        ['x-multi', 'one'],
        ['x-multi', 'two'],
      ],
      body: bytes,
    })
    expect(await response.json()).toEqual({
      url: `${base}/caf%C3%A9/%2F..%2Fx?q=a%20b&q=c`,
      method: 'PATCH',
      type: 'application/octet-stream',
      multi: 'one, two',
      body: [...bytes],
    })
  })

  it('sends each Set-Cookie of the response as a header of its own', async () => {
    const sessions = createSessions({ secrets: SECRET_A })
    const base = await start(
      sessions.wrap(async (request) => {
        ;(await sessions.load(request)).set('user', 'ada')
        const response = new Response('ok')
        response.headers.append('set-cookie', 'theme=dark; Path=/')
        response.headers.append('set-cookie', 'lang=en, fr; Path=/')
        return response
      }),
    )
    const { headers, rawHeaders } = await raw(base + '/')
    expect(headers['set-cookie']).toHaveLength(3)
    expect(headers['set-cookie']).toEqual([
      'theme=dark; Path=/',
      'lang=en, fr; Path=/',
      expect.stringMatching(/^session=[^;]+; Max-Age=1209600; Path=\/; HttpOnly; Secure/),
    ])
    expect(rawHeaders.filter((name) => name.toLowerCase() === 'set-cookie')).toHaveLength(3)
    expect(headers.vary).toBe('Cookie')
  })

  it('passes the Node request and response as the second argument', async () => {
    let seen: unknown[] = []
    const base = await start((_request, bindings) => {
      seen = [
        bindings.incoming instanceof IncomingMessage,
        bindings.outgoing instanceof ServerResponse,
      ]
      return new Response('ok')
    })
    await (await fetch(base)).text()
    expect(seen).toEqual([true, true])
  })

  it('rejects with the listen error when the port is taken', async () => {
    const base = await start(() => new Response('first'))
    const port = Number(new URL(base).port)
    await expect(
      serve(() => new Response('second'), { port, hostname: '127.0.0.1' }),
    ).rejects.toThrow(/EADDRINUSE/)
  })
})

describe('remoteAddress()', () => {
  it('tells the address and port of the client', async () => {
    const base = await start((request) => Response.json(remoteAddress(request) ?? null))
    const { body, port } = await new Promise<{ body: string; port: number }>((resolve, reject) => {
      const req = httpRequest(base + '/', (res) => {
        let body = ''
        res.setEncoding('utf8')
        res.on('data', (chunk: string) => (body += chunk))
        res.on('end', () => resolve({ body, port: req.socket?.localPort ?? 0 }))
      })
      req.on('error', reject)
      req.end()
    })
    expect(port).toBeGreaterThan(0)
    expect(JSON.parse(body)).toEqual({ address: '127.0.0.1', family: 'IPv4', port })
  })

  it('returns undefined for a request that did not come through serve() or createListener()', () => {
    expect(remoteAddress(new Request('http://localhost/'))).toBeUndefined()
  })

  it('also tells it for a frozen request', () => {
    const request = Object.freeze(new Request('http://localhost/'))
    const socket = { remoteAddress: '::1', remoteFamily: 'IPv6', remotePort: 4321 }
    rememberIncoming(request, { socket } as unknown as IncomingMessage)
    expect(remoteAddress(request)).toEqual({ address: '::1', family: 'IPv6', port: 4321 })
  })
})

describe('createListener()', () => {
  it('runs a fetch handler as a node:http request listener', async () => {
    const server = createServer(
      createListener((request) => new Response(`hello ${new URL(request.url).pathname}`)),
    )
    servers.push(server)
    const base = await listen(server)
    expect(await (await fetch(base + '/there')).text()).toBe('hello /there')
  })

  it('answers a bare 500 when the handler throws, and tells onError', async () => {
    const errors: unknown[] = []
    const server = createServer(
      createListener(
        () => {
          throw new Error('detail the client must not see')
        },
        { onError: (error, request) => errors.push(error, request.url) },
      ),
    )
    servers.push(server)
    const base = await listen(server)
    const response = await fetch(base + '/boom')
    expect(response.status).toBe(500)
    expect(await response.text()).toBe('')
    expect(errors).toEqual([new Error('detail the client must not see'), base + '/boom'])
  })

  it('reports a store failure with no session id in the message', async () => {
    const store = new FailingStore()
    const sessions = createSessions({ secrets: SECRET_A, store })
    const errors: unknown[] = []
    const handler = sessions.wrap(async (request) => {
      const session = await sessions.load(request)
      session.set('count', ((session.get('count') as number | undefined) ?? 0) + 1)
      return new Response('ok')
    })
    const server = createServer(createListener(handler, { onError: (error) => errors.push(error) }))
    servers.push(server)
    const base = await listen(server)
    const first = await fetch(base)
    const cookie = first.headers.get('set-cookie')!.split(';')[0]!
    const id = cookie.slice('session='.length).split('.')[0]!
    store.failGet = true
    const failed = await fetch(base, { headers: { cookie } })
    expect(failed.status).toBe(500)
    expect(await failed.text()).not.toContain(id)
    expect(errors[0]).toBeInstanceOf(SessionStoreError)
    expect((errors[0] as Error).message).not.toContain(id)
  })
})

describe('sessions.wrap() served on node:http', () => {
  it("writes the session's headers with the head, merged with the handler's own", async () => {
    const sessions = createSessions({ secrets: SECRET_A })
    let returned: Response | undefined
    const wrapped = sessions.wrap(async (request) => {
      ;(await sessions.load(request)).set('user', 'ada')
      returned = new Response('ok', {
        headers: [
          ['vary', 'Accept-Encoding'],
          ['cache-control', 'public, max-age=60'],
          ['set-cookie', 'theme=dark; Path=/'],
        ],
      })
      return returned
    })
    const base = await start(wrapped)
    const { headers } = await raw(base + '/')
    expect(headers.vary).toBe('Accept-Encoding, Cookie')
    expect(headers['cache-control']).toBe('private, max-age=60')
    expect(headers['set-cookie']).toEqual([
      'theme=dark; Path=/',
      expect.stringMatching(/^session=[^;]+; Max-Age=1209600; Path=\/; HttpOnly; Secure/),
    ])
    // Written on the ServerResponse: the handler's Response, and its headers, stay as they were.
    expect(returned!.headers.getSetCookie()).toEqual(['theme=dark; Path=/'])
    expect(returned!.headers.get('vary')).toBe('Accept-Encoding')
  })

  it('gives the headers to a head the handler writes itself while the session commits', async () => {
    const store = new GatedStore()
    const sessions = createSessions<{ count: number }>({ secrets: SECRET_A, store })
    const base = await start(
      sessions.wrap(async (request, { outgoing }) => {
        const session = await sessions.load(request)
        session.set('count', 1)
        store.whileCommitting(() => {
          outgoing.writeHead(200, { 'Content-Type': 'text/plain', Vary: 'Origin' })
          outgoing.end('written by hand')
        })
        return RESPONSE_ALREADY_SENT
      }),
    )
    const response = await fetch(base)
    expect(await response.text()).toBe('written by hand')
    expect(response.headers.get('vary')).toBe('Origin, Cookie')
    expect(response.headers.get('set-cookie')).toMatch(/^session=/)
    expect(response.headers.get('cache-control')).toBe('private')
  })

  it('answers a clear 500 when an in-place change outgrew the cookie', async () => {
    const sessions = createSessions<{ list: string[] }>({
      secrets: SECRET_A,
      store: new CookieStore(),
    })
    const base = await start(
      sessions.wrap(async (request) => {
        const session = await sessions.load(request)
        session.set('list', [])
        session.get('list')!.push('x'.repeat(5000))
        return new Response('ok')
      }),
    )
    const response = await fetch(base)
    expect(response.status).toBe(500)
    expect(await response.text()).toMatch(/session is too large/i)
    expect(response.headers.get('set-cookie')).toBeNull()
    expect(response.headers.get('vary')).toBe('Cookie')
  })

  it('sends no session header for a handler that never loads the session', async () => {
    const sessions = createSessions({ secrets: SECRET_A })
    const base = await start(sessions.wrap(() => new Response('ok')))
    const { headers } = await raw(base + '/')
    expect(headers['set-cookie']).toBeUndefined()
    expect(headers.vary).toBeUndefined()
    expect(headers['cache-control']).toBeUndefined()
  })
})
