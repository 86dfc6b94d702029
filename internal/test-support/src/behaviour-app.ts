// The application that every behaviour story talks to, written once against the public API and
// handed the core module by each host, so that the same code runs from source in Node's tests
// and from the built package in workerd, Bun and Deno.
import type * as Core from '@fetch-session/core'

type CoreModule = Pick<typeof Core, 'createSessions' | 'MemoryStore' | 'CookieStore'>

/** The secrets of the stories: A is the current one, B the next one after a rotation. */
export const SECRET_A = 'secret-a-0123456789-0123456789-0123456789'
export const SECRET_B = 'secret-b-0123456789-0123456789-0123456789'

/** Seconds, for the timeout stories on the `/short/` mount. */
export const SHORT_IDLE = 2
export const SHORT_ABSOLUTE = 3

export type StoreKind = 'memory' | 'cookie'

interface Data {
  count: number
  user: string
  cart: string[]
  message: string
}

/**
 * Builds the behaviour app. Mounts select the Sessions configuration, all sharing one store and
 * one cookie name, as an application would during a secret rotation:
 * - `/a/`: signed with A;
 * - `/rotated/`: signed with B, A still accepted;
 * - `/b/`: B only (A removed);
 * - `/short/`: A, with a 2 s idle and 3 s absolute timeout, refreshed on every request.
 * @param core the core module, as the host imports it
 * @param kind which store to keep sessions in
 * @param store an extra store to use instead (for adapters' stores)
 */
export function createBehaviourApp(
  core: CoreModule,
  kind: StoreKind | Core.SessionStore = 'memory',
): (request: Request) => Promise<Response> {
  const store =
    typeof kind !== 'string'
      ? kind
      : kind === 'cookie'
        ? new core.CookieStore()
        : new core.MemoryStore()
  const mounts = {
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
  const handlers = Object.fromEntries(
    Object.entries(mounts).map(([name, sessions]) => [
      name,
      sessions.wrap((request) => route(sessions, request)),
    ]),
  )
  return async (request) => {
    const mount = new URL(request.url).pathname.split('/')[1] ?? ''
    const handler = handlers[mount]
    if (handler === undefined) return new Response('no such mount', { status: 404 })
    try {
      return await handler(request)
    } catch {
      // What a framework does with a thrown handler error; the session must not have been saved.
      return new Response('handler threw', { status: 500 })
    }
  }
}

async function route(sessions: Core.Sessions<Data>, request: Request): Promise<Response> {
  const url = new URL(request.url)
  const action = url.pathname.split('/')[2] ?? ''
  const param = url.searchParams.get('value') ?? ''
  if (action === 'untouched') return new Response('no session here')
  const session = await sessions.load(request)
  switch (action) {
    case 'count': {
      const count = (session.get('count') ?? 0) + 1
      session.set('count', count)
      return Response.json({ count })
    }
    case 'read':
      return Response.json({
        count: session.get('count') ?? null,
        user: session.get('user') ?? null,
        isNew: session.isNew,
      })
    case 'login':
      session.set('user', param)
      session.regenerate()
      return Response.json({ user: param })
    case 'logout':
      session.destroy()
      return Response.json({ ok: true })
    case 'clear':
      session.clear()
      return Response.json({ ok: true })
    case 'flash':
      if (request.method === 'POST') session.flash('message', param)
      return Response.json({ message: session.get('message') ?? null })
    case 'cart': {
      if (request.method === 'POST') {
        // Mutated in place, without calling set() again: the story shows it is saved anyway.
        let cart = session.get('cart')
        if (cart === undefined) session.set('cart', (cart = []))
        cart.push(param)
      }
      return Response.json({ cart: session.get('cart') ?? [] })
    }
    case 'fail':
      session.set('count', 999)
      return new Response('failed', { status: 500 })
    case 'throw':
      session.set('count', 999)
      throw new Error('handler failed')
    case 'redirect':
      session.set('count', 1)
      return Response.redirect(new URL('/a/read', url).href, 303)
    default:
      return new Response('no such action', { status: 404 })
  }
}
