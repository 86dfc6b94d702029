// The shop of the README, run as a browser would use it: if this test needs a change, so does
// the README's usage example.
import { createSessions } from '@fetch-session/core'
import { Hono } from 'hono'
import { csrf } from 'hono/csrf'
import { describe, expect, it } from 'vitest'
import { CookieJar, SECRET_A } from '@fetch-session/test-support'
import { session } from './index.ts'
import type { SessionEnv } from './index.ts'

interface ShopSession {
  user: string
  cart: string[]
  message: string
}

async function checkPassword(name: string, password: string): Promise<boolean> {
  return name === 'ada' && password === 'lovelace'
}

function createShop(): Hono<SessionEnv<ShopSession>> {
  const sessions = createSessions<ShopSession>({
    secrets: [SECRET_A],
    cookie: { name: '__Host-session' },
  })

  const app = new Hono<SessionEnv<ShopSession>>()
  app.use(csrf())
  app.use(session(sessions))

  app.get('/health', (c) => c.text('ok'))

  app.get('/', async (c) => {
    const session = await c.var.session()
    return c.json({
      user: session.get('user') ?? null,
      cart: session.get('cart') ?? [],
      message: session.get('message') ?? null,
    })
  })

  app.post('/login', async (c) => {
    const { name, password } = await c.req.parseBody<{ name: string; password: string }>()
    if (!(await checkPassword(name, password))) return c.text('Wrong name or password', 401)
    const session = await c.var.session()
    session.set('user', name)
    session.regenerate()
    session.flash('message', `Welcome back, ${name}`)
    return c.redirect('/', 303)
  })

  app.post('/cart', async (c) => {
    const { item } = await c.req.parseBody<{ item: string }>()
    const session = await c.var.session()
    const cart = session.get('cart')
    if (cart === undefined) session.set('cart', [item])
    else cart.push(item)
    session.flash('message', `Added ${item} to your cart`)
    return c.redirect('/', 303)
  })

  app.post('/logout', async (c) => {
    const session = await c.var.session()
    session.destroy()
    session.flash('message', 'Signed out')
    return c.redirect('/', 303)
  })

  return app
}

describe('the README shop', () => {
  it('logs in, fills a cart, shows flash messages and logs out', async () => {
    const app = createShop()
    const jar = new CookieJar()
    const origin = 'http://localhost'
    async function send(path: string, form?: Record<string, string>): Promise<Response> {
      const headers = new Headers({ origin })
      const cookie = jar.header()
      if (cookie !== undefined) headers.set('cookie', cookie)
      const init: RequestInit =
        form === undefined
          ? { headers }
          : { method: 'POST', headers, body: new URLSearchParams(form) }
      const response = await app.request(path, init)
      jar.store(response)
      return response
    }
    const page = async () => (await send('/')).json()

    expect((await send('/health')).headers.get('set-cookie')).toBeNull()
    expect(await page()).toEqual({ user: null, cart: [], message: null })
    expect(jar.header()).toBeUndefined()

    expect((await send('/cart', { item: 'apple' })).status).toBe(303)
    const anonymous = jar.get('__Host-session')
    expect(await page()).toEqual({
      user: null,
      cart: ['apple'],
      message: 'Added apple to your cart',
    })

    expect((await send('/login', { name: 'ada', password: 'wrong' })).status).toBe(401)
    const login = await send('/login', { name: 'ada', password: 'lovelace' })
    expect(login.status).toBe(303)
    expect(jar.get('__Host-session')).not.toBe(anonymous)
    expect(await page()).toEqual({ user: 'ada', cart: ['apple'], message: 'Welcome back, ada' })

    await send('/cart', { item: 'pear' })
    expect(await page()).toMatchObject({ cart: ['apple', 'pear'] })
    expect(await page()).toMatchObject({ message: null })

    const signedIn = jar.get('__Host-session')
    await send('/logout', {})
    expect(jar.get('__Host-session')).not.toBe(signedIn)
    expect(await page()).toEqual({ user: null, cart: [], message: 'Signed out' })
    expect(await page()).toEqual({ user: null, cart: [], message: null })
    expect(jar.get('__Host-session')).toBeUndefined()
  })

  it('refuses a cross-site form post before the session is touched', async () => {
    const app = createShop()
    const response = await app.request('/cart', {
      method: 'POST',
      headers: { origin: 'https://evil.example' },
      body: new URLSearchParams({ item: 'bomb' }),
    })
    expect(response.status).toBe(403)
    expect(response.headers.get('set-cookie')).toBeNull()
  })
})
