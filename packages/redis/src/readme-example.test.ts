// The README's usage example, run as written (with the test's Redis, a free port on 127.0.0.1,
// and a stand-in for the application's password check).
import type { Server } from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createSessions } from '@fetch-session/core'
import { serve } from '@fetch-session/node'
import { createTestClient } from '@fetch-session/testing'
import { createClient } from 'redis'
import { RedisStore } from './index.ts'
import { skipRedis, startRedisServer, warnIfSkipped } from './test-support/redis-server.ts'
import type { RedisServer } from './test-support/redis-server.ts'

warnIfSkipped('RedisStore README example')

const SESSION_SECRET = 'readme-secret-0123456789-0123456789-0123456789'

async function checkPassword(form: FormData): Promise<{ id: string } | null> {
  return form.get('password') === 'correct horse' ? { id: String(form.get('user')) } : null
}

describe.skipIf(skipRedis)('the README example', () => {
  let server: RedisServer
  let listening: Server | undefined
  let redis: ReturnType<typeof createClient> | undefined
  beforeAll(async () => {
    server = await startRedisServer()
  })
  afterAll(async () => {
    listening?.close()
    redis?.destroy()
    await server?.stop()
  })

  it('keeps a cart through parallel requests, a login, and ends it everywhere', async () => {
    redis = createClient({ url: `redis://127.0.0.1:${server.port}` })
    redis.on('error', (error) => console.error('redis:', error.message))
    await redis.connect()

    const sessions = createSessions<{ cart: Record<string, number> }>({
      secrets: [SESSION_SECRET],
      store: new RedisStore({ client: redis, prefix: 'shop:session:' }),
      cookie: { name: '__Host-session' },
    })

    const app = sessions.wrap(async (request) => {
      const url = new URL(request.url)
      const session = await sessions.load(request)
      if (request.method === 'POST' && url.pathname === '/cart') {
        const item = String((await request.formData()).get('item'))
        session.update('cart', (cart = {}) => ({ ...cart, [item]: (cart[item] ?? 0) + 1 }))
        return Response.redirect(new URL('/cart', url), 303)
      }
      if (request.method === 'POST' && url.pathname === '/login') {
        const user = await checkPassword(await request.formData())
        if (user !== null) session.login(user.id)
        return Response.redirect(new URL('/cart', url), 303)
      }
      if (request.method === 'POST' && url.pathname === '/logout-everywhere' && session.userId) {
        await sessions.endSessions(session.userId)
        session.destroy()
        return Response.redirect(new URL('/', url), 303)
      }
      return Response.json({ user: session.userId, cart: session.get('cart') ?? {} })
    })

    listening = await serve(app, { port: 0, hostname: '127.0.0.1' })
    const { port } = listening.address() as { port: number }
    // `localhost`, where a browser keeps a Secure (`__Host-`) cookie over plain http.
    const browser = createTestClient(fetch, { baseUrl: `http://localhost:${port}` })
    const other = createTestClient(fetch, { baseUrl: `http://localhost:${port}` })

    await browser.post('/cart', { item: 'pen' })
    await Promise.all([
      browser.post('/cart', { item: 'pen' }),
      browser.post('/cart', { item: 'ink' }),
      browser.post('/cart', { item: 'ink' }),
    ])
    expect(await (await browser.get('/cart')).json()).toEqual({
      user: null,
      cart: { pen: 2, ink: 2 },
    })

    await browser.post('/login', { user: 'ada', password: 'correct horse' })
    await other.post('/login', { user: 'ada', password: 'correct horse' })
    expect(await (await browser.get('/cart')).json()).toEqual({
      user: 'ada',
      cart: { pen: 2, ink: 2 },
    })
    expect(await sessions.listSessions('ada')).toHaveLength(2)

    await other.post('/logout-everywhere')
    expect(await sessions.listSessions('ada')).toEqual([])
    expect(await (await browser.get('/cart')).json()).toEqual({ user: null, cart: {} })
  })
})
