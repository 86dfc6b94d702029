// The core's behaviour app, rebuilt with Hono routes and the session middleware, so that the
// core's behaviour stories replay through Hono. The same module runs in-process, on node:http and
// bundled into a worker inside workerd.
import { CookieStore, MemoryStore, createSessions } from '@fetch-session/core'
import type { SessionStore, Sessions } from '@fetch-session/core'
import { Hono } from 'hono'
import { SECRET_A, SECRET_B, SHORT_ABSOLUTE, SHORT_IDLE } from '@fetch-session/test-support/app'
import type { StoreKind } from '@fetch-session/test-support/app'
import { session } from '../index.ts'
import type { SessionEnv } from '../index.ts'

/** The session data of the stories, as in the core's behaviour app. */
export interface Data {
  count: number
  user: string
  cart: string[]
  message: string
}

/**
 * Builds a Hono app with the mounts of the core's behaviour app (`/a/`, `/rotated/`, `/b/`,
 * `/short/`), each a sub-app with its own middleware, all sharing one store and one cookie name.
 * @param kind which store to keep sessions in, or a store to use instead
 */
export function createHonoBehaviourApp(kind: StoreKind | SessionStore = 'memory'): Hono {
  const store =
    typeof kind !== 'string' ? kind : kind === 'cookie' ? new CookieStore() : new MemoryStore()
  const app = new Hono()
  app.route('/a', routes(createSessions<Data>({ secrets: [SECRET_A], store })))
  app.route('/rotated', routes(createSessions<Data>({ secrets: [SECRET_B, SECRET_A], store })))
  app.route('/b', routes(createSessions<Data>({ secrets: [SECRET_B], store })))
  app.route(
    '/short',
    routes(
      createSessions<Data>({
        secrets: [SECRET_A],
        store,
        idleTimeout: SHORT_IDLE,
        absoluteTimeout: SHORT_ABSOLUTE,
        touchInterval: 0,
      }),
    ),
  )
  // What the core's app does with a thrown handler; Hono sets `c.error` before calling this.
  app.onError((_error, c) => c.text('handler threw', 500))
  return app
}

// The routes of the core's behaviour app, one per action, through `c.var.session()`.
function routes(sessions: Sessions<Data>): Hono<SessionEnv<Data>> {
  const app = new Hono<SessionEnv<Data>>()
  app.use(session(sessions))
  app.get('/untouched', (c) => c.text('no session here'))
  app.get('/count', async (c) => {
    const session = await c.var.session()
    const count = (session.get('count') ?? 0) + 1
    session.set('count', count)
    return c.json({ count })
  })
  app.get('/read', async (c) => {
    const session = await c.var.session()
    return c.json({
      count: session.get('count') ?? null,
      user: session.get('user') ?? null,
      isNew: session.isNew,
    })
  })
  app.post('/login', async (c) => {
    const session = await c.var.session()
    const user = c.req.query('value') ?? ''
    session.set('user', user)
    session.regenerate()
    return c.json({ user })
  })
  app.post('/logout', async (c) => {
    const session = await c.var.session()
    session.destroy()
    return c.json({ ok: true })
  })
  app.post('/clear', async (c) => {
    const session = await c.var.session()
    session.clear()
    return c.json({ ok: true })
  })
  app.on(['GET', 'POST'], '/flash', async (c) => {
    const session = await c.var.session()
    if (c.req.method === 'POST') session.flash('message', c.req.query('value') ?? '')
    return c.json({ message: session.get('message') ?? null })
  })
  app.on(['GET', 'POST'], '/cart', async (c) => {
    const session = await c.var.session()
    if (c.req.method === 'POST') {
      // Rule 4: mutating the array in place is saved without calling set() again.
      let cart = session.get('cart')
      if (cart === undefined) session.set('cart', (cart = []))
      cart.push(c.req.query('value') ?? '')
    }
    return c.json({ cart: session.get('cart') ?? [] })
  })
  app.post('/fail', async (c) => {
    const session = await c.var.session()
    session.set('count', 999)
    return c.text('failed', 500)
  })
  app.post('/throw', async (c) => {
    const session = await c.var.session()
    session.set('count', 999)
    throw new Error('handler failed')
  })
  app.post('/redirect', async (c) => {
    const session = await c.var.session()
    session.set('count', 1)
    return c.redirect('/a/read', 303)
  })
  return app
}
