import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createSessions } from '@fetch-session/core'
import { createTestClient } from './test-client.ts'
import { jsonBody } from './request-body.ts'

interface Shop {
  user: string
  visits: number
  cart: { sku: string; qty: number }[]
}

const sessions = createSessions<Shop>({ secrets: 'a test secret of at least thirty-two chars' })

// A small application in the fetch-handler style: the client must carry its session cookie from
// one request to the next for these routes to make sense.
const app = sessions.wrap(async (request) => {
  const url = new URL(request.url)
  const session = await sessions.load(request)
  const route = `${request.method} ${url.pathname}`
  switch (route) {
    case 'GET /visit':
      session.set('visits', (session.get('visits') ?? 0) + 1)
      return Response.json({ visits: session.get('visits') })
    case 'POST /login': {
      const form = await request.formData()
      session.set('user', String(form.get('name')))
      return redirect(String(form.get('next') ?? '/me'), 303)
    }
    case 'GET /me':
      return Response.json({ user: session.get('user') ?? null })
    case 'POST /cart':
      session.set('cart', (await request.json()) as Shop['cart'])
      return Response.json({ items: session.get('cart')?.length })
    case 'POST /logout':
      session.destroy()
      return redirect('/me', 302)
    case 'POST /moved':
      return redirect('/echo', 307)
    case 'GET /loop':
      return redirect('/loop', 302)
    default:
      return Response.json({
        method: request.method,
        url: request.url,
        type: request.headers.get('content-type'),
        origin: request.headers.get('origin'),
        cookie: request.headers.get('cookie'),
        body: await request.text(),
      })
  }
})

function redirect(location: string, status: number): Response {
  return new Response(null, { status, headers: { location } })
}

describe('createTestClient', () => {
  it('keeps the session cookie between requests, one jar per client', async () => {
    const client = createTestClient(app)
    expect(await (await client.get('/visit')).json()).toEqual({ visits: 1 })
    expect(await (await client.get('/visit')).json()).toEqual({ visits: 2 })
    expect(client.cookie('session')).toMatch(/^[\w-]{32}\./)
    const other = createTestClient(app)
    expect(await (await other.get('/visit')).json()).toEqual({ visits: 1 })
    expect(other.cookie('session')).not.toBe(client.cookie('session'))
  })

  it('posts a plain object or URLSearchParams as a form, an array repeating its name', async () => {
    const client = createTestClient(app)
    const sent = await (await client.post('/echo', { q: 'tea & cake', tag: ['a', 'b'] })).json()
    expect(sent).toMatchObject({ method: 'POST', body: 'q=tea+%26+cake&tag=a&tag=b' })
    expect(sent.type).toMatch(/^application\/x-www-form-urlencoded/)
    const params = await (await client.post('/echo', new URLSearchParams({ n: '1' }))).json()
    expect(params).toMatchObject({ body: 'n=1' })
    expect(params.type).toMatch(/^application\/x-www-form-urlencoded/)
  })

  it('posts jsonBody(value) as JSON', async () => {
    const client = createTestClient(app)
    const sent = await (await client.post('/echo', jsonBody({ sku: 'tea', qty: 2 }))).json()
    expect(sent).toMatchObject({ type: 'application/json', body: '{"sku":"tea","qty":2}' })
    const cart = [{ sku: 'tea', qty: 2 }]
    expect(await (await client.post('/cart', jsonBody(cart))).json()).toEqual({ items: 1 })
    expect((await client.session(sessions)).get('cart')).toEqual(cart)
  })

  it('sends Origin with unsafe methods, as browsers do, and not with GET', async () => {
    const client = createTestClient(app, { baseUrl: 'https://shop.example' })
    expect(await (await client.post('/echo')).json()).toMatchObject({
      url: 'https://shop.example/echo',
      origin: 'https://shop.example',
    })
    expect(await (await client.get('/echo')).json()).toMatchObject({ origin: null })
  })

  it('returns a redirect unless asked to follow it', async () => {
    const client = createTestClient(app)
    const response = await client.post('/login', { name: 'ada' })
    expect(response.status).toBe(303)
    expect(response.headers.get('location')).toBe('/me')
    expect(client.url?.pathname).toBe('/login')
    // The cookie of the redirect response is kept all the same.
    expect(await (await client.get('/me')).json()).toEqual({ user: 'ada' })
  })

  it('follows redirects when asked, storing the cookies of every hop', async () => {
    const client = createTestClient(app)
    const login = await client.post('/login', { name: 'ada', next: '/echo' }, { follow: true })
    // 303 turns the POST into a GET without body or content type.
    expect(await login.json()).toMatchObject({ method: 'GET', type: null, body: '' })
    expect(client.url?.href).toBe('http://localhost/echo')
    const logout = await client.post('/logout', undefined, { follow: true })
    expect(await logout.json()).toEqual({ user: null })
    expect(client.cookie('session')).toBeUndefined()
  })

  it('repeats method and body on a 307, and stops after 20 redirects', async () => {
    const client = createTestClient(app)
    const moved = await client.post('/moved', { keep: 'me' }, { follow: true })
    expect(await moved.json()).toMatchObject({ method: 'POST', url: 'http://localhost/echo' })
    await expect(client.get('/loop', { follow: true })).rejects.toThrow(/More than 20 redirects/)
  })

  it('loads the current session of the jar through client.session(sessions)', async () => {
    const client = createTestClient(app)
    expect((await client.session(sessions)).isNew).toBe(true)
    await client.post('/login', { name: 'grace' })
    const session = await client.session(sessions)
    expect(session.isNew).toBe(false)
    expect(session.get('user')).toBe('grace')
  })

  it('takes cookies planted with setCookie, and a forged one gives a fresh session', async () => {
    const client = createTestClient(app)
    await client.get('/visit')
    client.setCookie(`session=${client.cookie('session')}x; Path=/`)
    expect(await (await client.get('/visit')).json()).toEqual({ visits: 1 })
    client.setCookie('theme=dark')
    expect(await (await client.get('/echo')).json()).toMatchObject({
      cookie: expect.stringContaining('theme=dark'),
    })
    expect(client.cookies.map((cookie) => cookie.name).sort()).toEqual(['session', 'theme'])
    client.clearCookies()
    expect(client.cookies).toEqual([])
  })
})

describe('createTestClient(fetch) against a listening server', () => {
  let baseUrl = ''
  const server = createServer((request, response) => {
    if (request.url === '/set') {
      response.writeHead(302, { location: '/echo', 'set-cookie': 'hop=1; Path=/; HttpOnly' })
      response.end()
    } else {
      response.writeHead(200, { 'content-type': 'text/plain' })
      response.end(request.headers.cookie ?? '')
    }
  })

  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

  it('drives a real HTTP server, following its redirect only when asked', async () => {
    const client = createTestClient(fetch, { baseUrl })
    const hop = await client.get('/set')
    expect(hop.status).toBe(302)
    expect(client.cookie('hop')).toBe('1')
    const followed = await client.get('/set', { follow: true })
    expect(followed.status).toBe(200)
    expect(await followed.text()).toBe('hop=1')
  })
})
