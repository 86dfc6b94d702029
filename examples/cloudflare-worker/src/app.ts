// The Hono app both Workers of this example serve: a counter, login and logout, a cart and flash
// messages, and, with a store that indexes users, a page listing the user's sessions with "sign
// out" buttons. Each Worker (worker.ts, durable-object-worker.ts) gives it its store.
import { Hono } from 'hono'
import { html } from 'hono/html'
import { createSessions } from '@fetch-session/core'
import type { Session, SessionStore, Sessions, VersionedSessionStore } from '@fetch-session/core'
import { session } from '@fetch-session/hono'
import type { SessionEnv } from '@fetch-session/hono'

/** The bindings both Workers have: the signing secret (and a `SESSIONS` binding of their own). */
export interface SecretBinding {
  /** At least 32 characters; set as a secret in production, never in code. */
  SESSION_SECRET: string
}

/** What a session holds. */
export interface Data {
  count: number
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

/** One of the user's sessions, as `GET /api/devices` answers it. */
export interface DeviceView {
  /** Names the session for `POST /devices/end`; it is not the session id. */
  handle: string
  createdAt: string
  lastActiveAt: string
  /** Whether it is the session of the browser asking. */
  current: boolean
}

/** How a Worker configures the app. */
export interface AppOptions<Bindings extends SecretBinding> {
  /** Where sessions live, in words, for the page: "Workers KV", "Durable Objects". */
  storeName: string
  /** Builds the store from the Worker's bindings, once per isolate. */
  store: (env: Bindings) => SessionStore | VersionedSessionStore
  /**
   * Whether the store indexes sessions by user, so that the app lists a user's sessions and
   * signs them out (`listSessions`, `endSessions`, `endSession`).
   */
  devices: boolean
}

/** The most items a cart holds, so that a session stays small whatever is posted. */
const MAX_CART_ITEMS = 50

/**
 * Builds the app.
 * @param options see `AppOptions`
 * @returns the Hono app, whose `fetch` is the Worker's
 */
export function createApp<Bindings extends SecretBinding>(
  options: AppOptions<Bindings>,
): Hono<SessionEnv<Data> & { Bindings: Bindings }> {
  type AppEnv = SessionEnv<Data> & { Bindings: Bindings }
  const app = new Hono<AppEnv>()

  // The bindings and the secret arrive with the first request, so the one `Sessions` object is
  // made then, once per isolate, and reused afterwards.
  let sessions: Sessions<Data> | undefined
  app.use(
    session<Data, AppEnv>(
      (c) =>
        (sessions ??= createSessions<Data>({
          secrets: [c.env.SESSION_SECRET],
          store: options.store(c.env),
          cookie: { name: '__Host-session' },
        })),
    ),
  )

  // Never asks for the session: no cookie check, no store call, no Set-Cookie.
  app.get('/health', (c) => c.text('ok'))

  // Reads only: one store read for a visitor with a session, none for one without, no write.
  app.get('/api/session', async (c) => c.json(view(await c.var.session())))

  app.get('/', async (c) => {
    const state = view(await c.var.session())
    return c.html(
      html`<!doctype html>
        <html lang="en">
          <head>
            <meta charset="utf-8" />
            <title>fetch-session on ${options.storeName}</title>
          </head>
          <body>
            <h1>Sessions in ${options.storeName}</h1>
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
            ${
              options.devices && state.user !== null
                ? html`<p><a href="/devices">Your sessions</a></p>`
                : ''
            }
          </body>
        </html>`,
    )
  })

  // A change: a read-modify-write that the core replays on the freshest record if another
  // request of this browser got there first.
  app.post('/count', async (c) => {
    const session = await c.var.session()
    session.update('count', (count) => (count ?? 0) + 1)
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
    // (A real app checks a password first.) Binds the session to the user under a new id: an id
    // planted in the browser before login is worth nothing after it.
    session.login(name)
    session.flash('message', `Welcome, ${name}`)
    return c.redirect('/', 303)
  })

  app.post('/logout', async (c) => {
    const session = await c.var.session()
    // Removes the record and expires the cookie. With Workers KV, other Cloudflare locations
    // may still hold the record for up to about a minute: see the README.
    session.destroy()
    return c.redirect('/', 303)
  })

  if (options.devices) {
    // A listing costs a call per session of the user: it has a page of its own, not the home's.
    app.get('/devices', async (c) => {
      const current = await c.var.session()
      if (current.userId === null) return c.redirect('/', 303)
      const devices = await deviceViews(sessions!, current, current.userId)
      const message = current.get('message') ?? null
      return c.html(
        html`<!doctype html>
          <html lang="en">
            <head>
              <meta charset="utf-8" />
              <title>Your sessions</title>
            </head>
            <body>
              <h1>Your sessions, ${current.userId}</h1>
              ${message === null ? '' : html`<p role="status">${message}</p>`}
              ${devicesList(devices)}
              <p><a href="/">Back</a></p>
            </body>
          </html>`,
      )
    })

    app.get('/api/devices', async (c) => {
      const current = await c.var.session()
      if (current.userId === null) return c.text('Not logged in', 401)
      return c.json(await deviceViews(sessions!, current, current.userId))
    })

    // "Sign out everywhere else": every other session of the user ends at once; each of those
    // browsers gets a fresh session on its next request.
    app.post('/logout-others', async (c) => {
      const current = await c.var.session()
      if (current.userId === null) return c.text('Not logged in', 401)
      const ended = await sessions!.endSessions(current.userId, { except: current })
      current.flash('message', `Signed out ${ended} other session${ended === 1 ? '' : 's'}`)
      return c.redirect('/devices', 303)
    })

    app.post('/devices/end', async (c) => {
      const handle = (await c.req.parseBody())['handle']
      const current = await c.var.session()
      if (current.userId === null) return c.text('Not logged in', 401)
      if (typeof handle !== 'string' || handle === current.handle) {
        return c.text('A handle of another session is needed', 400)
      }
      const ended = await sessions!.endSession(current.userId, handle)
      current.flash('message', ended ? 'Signed out that session' : 'That session had ended')
      return c.redirect('/devices', 303)
    })
  }

  return app
}

function view(session: Session<Data>): SessionView {
  return {
    user: session.userId,
    count: session.get('count') ?? 0,
    cart: session.get('cart') ?? [],
    message: session.get('message') ?? null,
  }
}

async function deviceViews(
  sessions: Sessions<Data>,
  current: Session<Data>,
  userId: string,
): Promise<DeviceView[]> {
  return (await sessions.listSessions(userId)).map((info) => ({
    handle: info.handle,
    createdAt: info.createdAt.toISOString(),
    lastActiveAt: info.lastActiveAt.toISOString(),
    current: info.handle === current.handle,
  }))
}

function devicesList(devices: DeviceView[]) {
  return html`<ul id="devices">
      ${devices.map(
        (device) =>
          html`<li>
            Since ${device.createdAt}, last active ${device.lastActiveAt}
            ${
              device.current
                ? html`(this browser)`
                : html`<form method="post" action="/devices/end">
                    <input type="hidden" name="handle" value="${device.handle}" />
                    <button>Sign out</button>
                  </form>`
            }
          </li>`,
      )}
    </ul>
    <form method="post" action="/logout-others"><button>Sign out everywhere else</button></form>`
}

function field(body: Record<string, unknown>, name: string): string | null {
  const value = body[name]
  if (typeof value !== 'string') return null
  const trimmed = value.trim()
  return trimmed.length > 0 && trimmed.length <= 40 ? trimmed : null
}
