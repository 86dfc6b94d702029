// The contenders' applications, shared by their servers (src/servers) and by the micro suite,
// which runs some of them in process. Every one has the same two routes: COUNTER_PATH reads the
// session's counter, adds one and writes it back; UNTOUCHED_PATH never asks for the session.
import { CookieStore, MemoryStore, createSessions } from '@fetch-session/core'
import type {
  SessionCrypto,
  SessionStore,
  Sessions,
  VersionedSessionStore,
} from '@fetch-session/core'
import { session } from '@fetch-session/hono'
import type { SessionEnv } from '@fetch-session/hono'
import { Hono } from 'hono'
import {
  CookieStore as HonoSessionsCookieStore,
  MemoryStore as HonoSessionsMemoryStore,
  sessionMiddleware,
} from 'hono-sessions'
import type { Session as HonoSessionsSession } from 'hono-sessions'
import { COUNTER_PATH, IDLE_SECONDS, SECRET, UNTOUCHED_PATH } from './server-control.ts'

/** The session data of every contender. */
export interface Data {
  count: number
}

/**
 * A fetch handler, as Hono's `app.fetch` or `sessions.wrap()` gives one; servers pass their
 * bindings after the request (`@hono/node-server` its `{ incoming, outgoing }`).
 */
export type Handler = (request: Request, ...bindings: any[]) => Response | Promise<Response>

/**
 * The ceiling: bare Hono, the same routes without any session.
 * @param middleware mount an empty middleware (`await next()` and nothing else), the least any
 *   middleware costs
 * @param busyMicros mount instead an async middleware that keeps the CPU busy this long and then
 *   awaits `next()`: work of a known cost, with no memory to touch, to see what that costs over HTTP
 * @param busyObjects with `busyMicros`, the busy middleware also makes this many small objects
 *   first and holds them until `next()` has settled, as a session's objects live through a request
 * @param asyncRoute make the routes `async` functions, as most applications' are: Hono's
 *   `app.fetch` then answers with a promise, as it does behind any middleware
 */
export function bareHono(
  middleware = false,
  busyMicros = 0,
  busyObjects = 0,
  asyncRoute = false,
): Handler {
  let count = 0
  const app = new Hono()
  if (middleware) app.use((_c, next) => next())
  if (busyMicros > 0) {
    app.use(async (c, next) => {
      const held: { a: number; b: unknown }[] = []
      for (let i = 0; i < busyObjects; i++) held.push({ a: i, b: c })
      const until = performance.now() + busyMicros / 1000
      while (performance.now() < until);
      await next()
      if (held.length !== busyObjects) throw new Error('lost')
    })
  }
  if (asyncRoute) {
    app.get(COUNTER_PATH, async (c) => c.text(String(++count)))
    app.get(UNTOUCHED_PATH, async (c) => c.text('ok'))
  } else {
    app.get(COUNTER_PATH, (c) => c.text(String(++count)))
    app.get(UNTOUCHED_PATH, (c) => c.text('ok'))
  }
  return app.fetch
}

/**
 * The `Sessions` object of a fetch-session contender.
 * @param store a server-side store, or a `CookieStore`; default a new `MemoryStore`
 * @param crypto a crypto implementation other than Web Crypto
 */
export function benchSessions(
  store: SessionStore | VersionedSessionStore | CookieStore = new MemoryStore(),
  crypto?: SessionCrypto | null,
): Sessions<Data> {
  return createSessions<Data>({
    secrets: SECRET,
    store,
    ...(crypto === null || crypto === undefined ? {} : { crypto }),
  })
}

/**
 * Hono with fetch-session's `session()` middleware.
 * @param sessions the `Sessions` object
 */
export function fetchSessionHono(sessions: Sessions<Data>): Handler {
  const app = new Hono<SessionEnv<Data>>()
  app.use(session(sessions))
  app.get(COUNTER_PATH, async (c) => {
    const session = await c.var.session()
    const count = (session.get('count') ?? 0) + 1
    session.set('count', count)
    return c.text(String(count))
  })
  app.get(UNTOUCHED_PATH, (c) => c.text('ok'))
  return app.fetch
}

/**
 * A plain fetch handler wrapped with `sessions.wrap`.
 * @param sessions the `Sessions` object
 */
export function fetchSessionWrap(sessions: Sessions<Data>): Handler {
  return sessions.wrap(async (request) => {
    const { pathname } = new URL(request.url)
    if (pathname === UNTOUCHED_PATH) return new Response('ok')
    if (pathname !== COUNTER_PATH) return new Response('Not Found', { status: 404 })
    const session = await sessions.load(request)
    const count = (session.get('count') ?? 0) + 1
    session.set('count', count)
    return new Response(String(count))
  })
}

/** hono-sessions' stores, and how many sessions the memory one holds. */
export interface HonoSessionsStore {
  store: HonoSessionsMemoryStore | HonoSessionsCookieStore
  /** Sessions held, or `null` for the cookie store. */
  size: () => number | null
}

/**
 * A hono-sessions store.
 * @param kind its memory store or its cookie store
 */
export function honoSessionsStore(kind: 'memory' | 'cookie'): HonoSessionsStore {
  if (kind === 'cookie') return { store: new HonoSessionsCookieStore(), size: () => null }
  const store = new HonoSessionsMemoryStore()
  // The store's map is declared private but is a plain public field at run time.
  return { store, size: () => (store as unknown as { data: Map<string, unknown> }).data.size }
}

/**
 * Hono with hono-sessions, the session middleware Hono users pick most, configured as its README
 * recommends (an encryption key, also for the memory store).
 * @param store the store, from `honoSessionsStore`
 */
export function honoSessions(store: HonoSessionsStore): Handler {
  const app = new Hono<{
    Variables: { session: HonoSessionsSession<Data>; session_key_rotation: boolean }
  }>()
  app.use(
    sessionMiddleware({
      store: store.store,
      encryptionKey: SECRET,
      expireAfterSeconds: IDLE_SECONDS,
      cookieOptions: { sameSite: 'Lax', path: '/', httpOnly: true },
    }),
  )
  app.get(COUNTER_PATH, (c) => {
    const session = c.get('session')
    const count = (session.get('count') ?? 0) + 1
    session.set('count', count)
    return c.text(String(count))
  })
  app.get(UNTOUCHED_PATH, (c) => c.text('ok'))
  return app.fetch
}
