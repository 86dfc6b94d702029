import {
  ANSWER_HEADERS,
  applySessionHeaders,
  createSessions,
  finishOnNodeResponse,
  nodeResponse,
  withSessionHeaders,
} from '@fetch-session/core'
import type { Session, SessionData, Sessions, SessionsOptions } from '@fetch-session/core'
import type { Context, MiddlewareHandler } from 'hono'
import type { SessionEnv } from './session-env.ts'

/**
 * The session middleware: `app.use(session(sessions))`. Handlers get the session with
 * `const session = await c.var.session()`; once they have answered, it is committed to the
 * response (`Set-Cookie`, `Vary: Cookie`, `Cache-Control: private`), whether the response was
 * returned, assigned to `c.res`, streamed, a redirect or the immutable response of a `fetch()`.
 * Nothing is persisted when the handler threw (`c.error` is set) or answered with a status of
 * 500 or more. A request whose handlers never ask for the session costs nothing: no cookie
 * verification, no store access, no header change.
 *
 * On `@hono/node-server` the headers are written with the response head, on the `ServerResponse`
 * it passes as `c.env.outgoing`, instead of on `c.res`, which would turn the response's headers
 * into a Fetch `Headers` object for each request: so they also reach a response that a middleware
 * mounted before this one puts in `c.res` later, and middleware reading `c.res.headers` does not
 * see them. A handler that answers on `c.env.outgoing` itself after returning
 * `RESPONSE_ALREADY_SENT` gets them too: what it writes there while the session commits is held
 * until they are known (a head it wrote before returning is gone without them). Elsewhere
 * (Workers, Bun, Deno, `app.request()`) they are set on `c.res`.
 * @param sessions the `Sessions` object from `createSessions` (shared with code outside Hono),
 *   or the options to create one with
 * @returns a middleware whose `Env` types `c.var.session`
 * @throws SessionConfigError for invalid options, when the middleware is created
 * @typeParam Data the shape of the session data
 * @typeParam Flash the shape of the flash values, as given to `createSessions`
 */
export function session<Data extends object, Flash extends object = Data>(
  sessions: Sessions<Data, Flash>,
): MiddlewareHandler<SessionEnv<Data, Flash>>
/**
 * The session middleware, creating its `Sessions` object from options:
 * `app.use(session<Cart>({ secrets: [process.env.SESSION_SECRET] }))`.
 * @param options the options of `createSessions`, checked now
 * @returns a middleware whose `Env` types `c.var.session`
 * @throws SessionConfigError for invalid options
 * @typeParam Data the shape of the session data
 * @typeParam Flash the shape of the flash values; default: the same as `Data`
 */
export function session<Data extends object = SessionData, Flash extends object = Data>(
  options: SessionsOptions,
): MiddlewareHandler<SessionEnv<Data, Flash>>
/**
 * The session middleware, asking a function for its `Sessions` object on each request: for
 * runtimes whose configuration arrives with the request, such as the bindings of a Worker
 * (`c.env`). Build the object once and return the same one every time, or each request pays
 * for a new key ring and an empty cache:
 * `app.use(session((c: Context<AppEnv>) => (sessions ??= createSessions({ … c.env … }))))`, or
 * with explicit type arguments, `session<Data, AppEnv>((c) => …)`.
 * @param factory returns the `Sessions` object for a request's context
 * @returns a middleware typed for the app's own `Env`
 * @typeParam Data the shape of the session data
 * @typeParam E the app's `Env`, which must include `SessionEnv<Data>` or `SessionEnv<Data, Flash>`
 */
export function session<Data extends object, E extends SessionEnv<Data, any> = SessionEnv<Data>>(
  factory: (c: Context<E>) => Sessions<Data, FlashOf<E>>,
): MiddlewareHandler<E>
export function session<Data extends object = SessionData>(
  sessions: Sessions<Data> | SessionsOptions | ((c: Context) => Sessions<Data>),
): MiddlewareHandler<SessionEnv<Data>> {
  const fixed =
    typeof sessions === 'function'
      ? undefined
      : isSessions<Data>(sessions)
        ? sessions
        : createSessions<Data>(sessions)
  return async (c, next) => {
    const resolved = fixed ?? (sessions as (c: Context) => Sessions<Data>)(c)
    // The raw request is the key of the core's memoization: every load of this request, through
    // c.var.session() or a direct sessions.load(c.req.raw), returns the same session.
    const request = c.req.raw
    c.set('session', () => resolved.load(request))
    await next()
    // Also true when a handler called sessions.load(c.req.raw) itself.
    if (!resolved.isLoaded(request)) return
    // A thrown handler persists nothing, but the error handler's answer still depends on the
    // cookie, so it still gets Vary: Cookie.
    const persist = c.error === undefined
    const outgoing = nodeResponse(c.env)
    try {
      if (outgoing === undefined) {
        const changes = await resolved.finish(request, c.res.status, { persist })
        const response = c.res
        const committed = withSessionHeaders(response, changes)
        if (committed !== response) replaceResponse(c, committed)
        return
      }
      const status = c.res.status
      await finishOnNodeResponse(outgoing, () => resolved.finish(request, status, { persist }))
    } catch (error) {
      // A failed commit, or a call of the handler's own that failed on replay, reaches Hono's
      // error handler, whose answer Hono puts in c.res with the headers of the response there
      // copied over it: the handler's Location, its own cookies, a public Cache-Control. The
      // handler's response gives way to one without them first; what middleware set (CORS,
      // security headers, @hono/node-server's mark of a response already sent) stays.
      replaceResponse(c, failedAnswer(c.res))
      throw error
    }
  }
}

// A body-less stand-in for a response whose session could not be committed: its headers less
// those of its own answer, and Vary: Cookie.
function failedAnswer(response: Response): Response {
  const headers = new Headers(response.headers)
  for (const name of ANSWER_HEADERS) headers.delete(name)
  applySessionHeaders(headers, { setCookie: null, vary: true, private: false })
  return new Response(null, { status: 500, headers })
}

// Hono's `c.res` setter copies the previous response's headers over the new one (which would
// also drop a Set-Cookie just added); clearing it first makes the new one the response as it is.
function replaceResponse(c: Context, response: Response): void {
  c.res = undefined
  c.res = response
}

// The flash type of an app's Env, which its Sessions object must have.
type FlashOf<E> = E extends { Variables: { session: () => Promise<Session<any, infer Flash>> } }
  ? Flash
  : never

// Duck-typed rather than `instanceof`, so that a Sessions object from another copy of the core
// (two versions installed side by side) is still recognized.
function isSessions<Data extends object>(
  value: Sessions<Data> | SessionsOptions,
): value is Sessions<Data> {
  const candidate = value as Partial<Sessions<Data>> | null
  return (
    typeof candidate?.load === 'function' &&
    typeof candidate.finish === 'function' &&
    typeof candidate.isLoaded === 'function'
  )
}
