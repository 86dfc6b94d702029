// The routes of the shared behaviour app (`@fetch-session/test-support`), written as classic
// `(req, res)` handlers over `withSession` on plain node:http and over `sessionMiddleware` on
// Express, so that the same behaviour stories run through both. Each route writes its response
// a different way (writeHead, setHeader + end, write + end, a piped stream, flushHeaders,
// Express's send/json/redirect) to cover every path to the head.
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http'
import { Readable } from 'node:stream'
import express from 'express'
import * as core from '@fetch-session/core'
import type { SessionStore } from '@fetch-session/core'
import { SECRET_A, SECRET_B, SHORT_ABSOLUTE, SHORT_IDLE } from '@fetch-session/test-support/app'
import { sessionMiddleware } from '../session-middleware.ts'
import type { SessionRequest } from '../session-middleware.ts'
import { withSession } from '../with-session.ts'

interface Data {
  count: number
  user: string
  cart: string[]
  message: string
}

type Mounts = Record<string, core.Sessions<Data>>

// The same mounts as the behaviour app: one store and one cookie name, four configurations.
function createMounts(store: SessionStore | core.CookieStore): Mounts {
  return {
    a: core.createSessions<Data>({ secrets: [SECRET_A], store }),
    rotated: core.createSessions<Data>({ secrets: [SECRET_B, SECRET_A], store }),
    b: core.createSessions<Data>({ secrets: [SECRET_B], store }),
    short: core.createSessions<Data>({
      secrets: [SECRET_A],
      store,
      idleTimeout: SHORT_IDLE,
      absoluteTimeout: SHORT_ABSOLUTE,
      touchInterval: 0,
    }),
  }
}

function parts(req: IncomingMessage): { mount: string; action: string; value: string } {
  const url = new URL(req.url ?? '/', 'http://localhost')
  const [, mount = '', action = ''] = url.pathname.split('/')
  return { mount, action, value: url.searchParams.get('value') ?? '' }
}

/** The behaviour routes on plain node:http, through `withSession`. */
export function createClassicListener(
  store: SessionStore | core.CookieStore = new core.MemoryStore(),
): RequestListener {
  const handlers = Object.fromEntries(
    Object.entries(createMounts(store)).map(([name, sessions]) => [
      name,
      withSession(sessions, route),
    ]),
  )
  return (req, res) => {
    const { mount, action } = parts(req)
    const handler = handlers[mount]
    if (handler === undefined) {
      res.statusCode = 404
      res.end('no such mount')
    } else if (action === 'untouched') {
      // Routes that need no session are not behind it, and so cost nothing.
      res.end('no session here')
    } else {
      handler(req, res)
    }
  }
}

function route(req: SessionRequest<Data>, res: ServerResponse): void {
  const { action, value } = parts(req)
  const session = req.session
  const post = req.method === 'POST'
  const json = (body: unknown) => JSON.stringify(body)
  switch (action) {
    case 'count': {
      const count = (session.get('count') ?? 0) + 1
      session.set('count', count)
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(json({ count }))
      return
    }
    case 'read':
      res.setHeader('content-type', 'application/json')
      res.end(
        json({
          count: session.get('count') ?? null,
          user: session.get('user') ?? null,
          isNew: session.isNew,
        }),
      )
      return
    case 'login':
      session.set('user', value)
      session.regenerate()
      res.statusCode = 200
      res.end(json({ user: value }))
      return
    case 'logout':
      session.destroy()
      res.writeHead(200, 'Done', ['Content-Type', 'application/json']).end(json({ ok: true }))
      return
    case 'clear':
      session.clear()
      res.flushHeaders()
      res.end(json({ ok: true }))
      return
    case 'flash': {
      if (post) session.flash('message', value)
      const body = json({ message: session.get('message') ?? null })
      res.write(body.slice(0, 5))
      res.end(body.slice(5))
      return
    }
    case 'cart': {
      if (post) {
        let cart = session.get('cart')
        if (cart === undefined) session.set('cart', (cart = []))
        cart.push(value)
      }
      Readable.from([json({ cart: session.get('cart') ?? [] })]).pipe(res)
      return
    }
    case 'fail':
      session.set('count', 999)
      res.statusCode = 500
      res.end('failed')
      return
    case 'throw':
      session.set('count', 999)
      throw new Error('handler failed')
    case 'redirect':
      session.set('count', 1)
      res.writeHead(303, { location: '/a/read' })
      res.end()
      return
    default:
      res.statusCode = 404
      res.end('no such action')
  }
}

/** The behaviour routes on Express, through `sessionMiddleware`. */
export function createClassicExpressApp(
  store: SessionStore | core.CookieStore = new core.MemoryStore(),
): express.Express {
  const app = express()
  for (const [name, sessions] of Object.entries(createMounts(store))) {
    app.get(`/${name}/untouched`, (_req, res) => {
      res.send('no session here')
    })
    app.use(`/${name}`, sessionMiddleware(sessions), expressRoutes())
  }
  app.use((_req, res) => {
    res.status(404).send('no such mount')
  })
  return app
}

function expressRoutes(): express.Router {
  const router = express.Router()
  router.all('/:action', (req, res) => {
    const session = (req as SessionRequest<Data, typeof req>).session
    const value = typeof req.query.value === 'string' ? req.query.value : ''
    const post = req.method === 'POST'
    switch (req.params.action) {
      case 'count': {
        const count = (session.get('count') ?? 0) + 1
        session.set('count', count)
        res.json({ count })
        return
      }
      case 'read':
        res.send({
          count: session.get('count') ?? null,
          user: session.get('user') ?? null,
          isNew: session.isNew,
        })
        return
      case 'login':
        session.set('user', value)
        session.regenerate()
        res.status(200).json({ user: value })
        return
      case 'logout':
        session.destroy()
        res.type('json').send(JSON.stringify({ ok: true }))
        return
      case 'clear':
        session.clear()
        res.json({ ok: true })
        return
      case 'flash':
        if (post) session.flash('message', value)
        res.json({ message: session.get('message') ?? null })
        return
      case 'cart': {
        if (post) {
          let cart = session.get('cart')
          if (cart === undefined) session.set('cart', (cart = []))
          cart.push(value)
        }
        res.type('json')
        Readable.from([JSON.stringify({ cart: session.get('cart') ?? [] })]).pipe(res)
        return
      }
      case 'fail':
        session.set('count', 999)
        res.status(500).send('failed')
        return
      case 'throw':
        session.set('count', 999)
        throw new Error('handler failed')
      case 'redirect':
        session.set('count', 1)
        res.redirect(303, '/a/read')
        return
      default:
        res.status(404).send('no such action')
    }
  })
  return router
}
