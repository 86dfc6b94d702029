// A Hono app for Cloudflare Workers whose sessions live in Workers KV: a counter, login and
// logout, a cart and flash messages. Run it locally with `pnpm start` (see dev.ts). workerd takes
// every exported value of the module for an entry point: besides the app, only types are exported.
import { Hono } from 'hono'
import { html } from 'hono/html'
import type { KVNamespace } from '@cloudflare/workers-types'
import { createSessions } from '@fetch-session/core'
import type { Sessions } from '@fetch-session/core'
import { session } from '@fetch-session/hono'
import type { SessionEnv } from '@fetch-session/hono'
import { KVStore } from '@fetch-session/cloudflare-kv'

/** The Worker's bindings: the KV namespace and the signing secret. */
export interface Bindings {
  SESSIONS: KVNamespace
  /** At least 32 characters; set as a secret in production, never in code. */
  SESSION_SECRET: string
}

/** What a session holds. */
export interface Data {
  count: number
  user: string
  cart: string[]
  message: string
}

/** What `GET /api/session` answers. */
export interface SessionView {
  user: string | null
  count: number
  cart: string[]
  message: string | null
}

/** The most items a cart holds, so that a session stays small whatever is posted. */
const MAX_CART_ITEMS = 50

type AppEnv = SessionEnv<Data> & { Bindings: Bindings }

const app = new Hono<AppEnv>()

// The KV binding and the secret arrive with the first request, so the one `Sessions` object is
// made then, once per isolate, and reused afterwards.
let sessions: Sessions<Data> | undefined
app.use(
  session<Data, AppEnv>(
    (c) =>
      (sessions ??= createSessions<Data>({
        secrets: [c.env.SESSION_SECRET],
        store: new KVStore(c.env.SESSIONS),
        cookie: { name: '__Host-session' },
      })),
  ),
)

// Never asks for the session: no cookie check, no KV read, no Set-Cookie.
app.get('/health', (c) => c.text('ok'))

// Reads only: one KV read for a visitor with a session, none for one without, and no write.
app.get('/api/session', async (c) => c.json(view(await c.var.session())))

app.get('/', async (c) => {
  const state = view(await c.var.session())
  return c.html(
    html`<!doctype html>
      <html lang="en">
        <head>
          <meta charset="utf-8" />
          <title>fetch-session on Workers KV</title>
        </head>
        <body>
          <h1>Sessions in Workers KV</h1>
          ${state.message === null ? '' : html`<p role="status">${state.message}</p>`}
          <p>
            ${state.user === null ? 'Not logged in.' : html`Logged in as <b>${state.user}</b>.`}
            Counter: <b id="count">${state.count}</b>. Cart: ${state.cart.join(', ') || 'empty'}.
          </p>
          <form method="post" action="/count"><button>Count</button></form>
          <form method="post" action="/cart">
            <input name="item" placeholder="apple" required maxlength="40" />
            <button>Add to cart</button>
          </form>
          ${
            state.user === null
              ? html`<form method="post" action="/login">
                  <input name="name" placeholder="ada" required maxlength="40" />
                  <button>Log in</button>
                </form>`
              : html`<form method="post" action="/logout"><button>Log out</button></form>`
          }
        </body>
      </html>`,
  )
})

// A change: one KV read and one KV write.
app.post('/count', async (c) => {
  const session = await c.var.session()
  session.set('count', (session.get('count') ?? 0) + 1)
  return c.redirect('/', 303)
})

app.post('/cart', async (c) => {
  const item = field(await c.req.parseBody(), 'item')
  if (item === null) return c.text('An item of 1 to 40 characters is needed', 400)
  const session = await c.var.session()
  const cart = session.get('cart') ?? []
  if (cart.length >= MAX_CART_ITEMS) return c.text('The cart is full', 400)
  // The array is changed in place: the session sees the change when it is committed.
  if (session.has('cart')) cart.push(item)
  else session.set('cart', [item])
  session.flash('message', `Added ${item} to the cart`)
  return c.redirect('/', 303)
})

app.post('/login', async (c) => {
  const name = field(await c.req.parseBody(), 'name')
  if (name === null) return c.text('A name of 1 to 40 characters is needed', 400)
  const session = await c.var.session()
  session.set('user', name)
  // A new id at login: an id planted in the browser before login is worth nothing after it.
  session.regenerate()
  session.flash('message', `Welcome, ${name}`)
  return c.redirect('/', 303)
})

app.post('/logout', async (c) => {
  const session = await c.var.session()
  // Deletes the record from KV and expires the cookie. Other Cloudflare locations may still
  // hold the record for up to about a minute: see the README.
  session.destroy()
  return c.redirect('/', 303)
})

function view(session: Awaited<ReturnType<AppEnv['Variables']['session']>>): SessionView {
  return {
    user: session.get('user') ?? null,
    count: session.get('count') ?? 0,
    cart: session.get('cart') ?? [],
    message: session.get('message') ?? null,
  }
}

function field(body: Record<string, unknown>, name: string): string | null {
  const value = body[name]
  if (typeof value !== 'string') return null
  const trimmed = value.trim()
  return trimmed.length > 0 && trimmed.length <= 40 ? trimmed : null
}

export default app
