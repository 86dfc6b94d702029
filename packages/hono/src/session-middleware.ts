import {
  createSessions,
  privateCacheControl,
  varyWithCookie,
  withSessionHeaders,
} from '@fetch-session/core'
import type {
  Session,
  SessionData,
  SessionHeaders,
  Sessions,
  SessionsOptions,
} from '@fetch-session/core'
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
 * see them. Elsewhere (Workers, Bun, Deno, `app.request()`) they are set on `c.res`.
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
    const changes = await resolved.finish(request, c.res.status, { persist: c.error === undefined })
    if (!changes.vary && changes.setCookie === null) return
    const outgoing = nodeResponse(c.env)
    if (outgoing !== undefined) {
      withHead(outgoing, changes)
      return
    }
    const response = c.res
    const committed = withSessionHeaders(response, changes)
    if (committed !== response) {
      // Hono's `c.res` setter copies the previous response's headers over the new one, which
      // would drop the Set-Cookie just added; clearing it first makes the copy the response.
      c.res = undefined
      c.res = committed
    }
  }
}

/** The part of Node's `ServerResponse` (or `Http2ServerResponse`) that the headers need. */
interface NodeResponse {
  headersSent: boolean
  writeHead(status: number, ...rest: unknown[]): unknown
  getHeader(name: string): unknown
  setHeader(name: string, value: string | string[]): unknown
}

// The ServerResponse that @hono/node-server passes as `c.env.outgoing`, when the headers can
// still be written on it. Duck-typed: the adapter cannot import node:http.
function nodeResponse(env: unknown): NodeResponse | undefined {
  const outgoing = (env as { outgoing?: Partial<NodeResponse> } | undefined)?.outgoing
  return typeof outgoing?.writeHead === 'function' &&
    typeof outgoing.setHeader === 'function' &&
    typeof outgoing.getHeader === 'function' &&
    outgoing.headersSent === false
    ? (outgoing as NodeResponse)
    : undefined
}

// Adds the session's headers when the head is written, merged with the response's own: Node lets
// headers passed to writeHead() override those set before, so they are merged into that call.
function withHead(outgoing: NodeResponse, changes: SessionHeaders): void {
  const writeHead = outgoing.writeHead
  outgoing.writeHead = function (status: number, ...rest: unknown[]) {
    // Once only: the instance's own property goes, the prototype's method shows through again.
    delete (outgoing as Partial<NodeResponse>).writeHead
    const last = rest.length === 0 ? undefined : rest[rest.length - 1]
    if (last === undefined || last === null || typeof last !== 'object') {
      applyToResponse(outgoing, changes)
    } else {
      rest[rest.length - 1] = Array.isArray(last)
        ? mergeIntoList(outgoing, last as unknown[], changes)
        : mergeIntoRecord(outgoing, last as Record<string, unknown>, changes)
    }
    return writeHead.call(this, status, ...rest)
  }
}

// Headers written with setHeader() before writeHead() (or with none passed to it).
function applyToResponse(outgoing: NodeResponse, changes: SessionHeaders): void {
  if (changes.vary) {
    const vary = varyWithCookie(joined(outgoing.getHeader('vary'), ', '))
    if (vary !== null) outgoing.setHeader('vary', vary)
  }
  if (changes.setCookie !== null) {
    const existing = outgoing.getHeader('set-cookie')
    outgoing.setHeader('set-cookie', [...list(existing).map(String), changes.setCookie])
  }
  if (changes.private) {
    const cacheControl = privateCacheControl(joined(outgoing.getHeader('cache-control'), ', '))
    if (cacheControl !== null) outgoing.setHeader('cache-control', cacheControl)
  }
}

// A copy of the record writeHead() was given (it may be the application's own object), with the
// session's headers merged in under names of any case, and with those set before with
// setHeader(), which the record would override.
function mergeIntoRecord(
  outgoing: NodeResponse,
  headers: Record<string, unknown>,
  changes: SessionHeaders,
): Record<string, unknown> {
  const merged: Record<string, unknown> = {}
  let vary: string | null = null
  let cacheControl: string | null = null
  let cookies: unknown
  let found = 0
  for (const name in headers) {
    const value = headers[name]
    const length = name.length
    if (length === 4 && name.toLowerCase() === 'vary') vary = joined(value, ', ')
    else if (length === 10 && name.toLowerCase() === 'set-cookie') cookies = value
    else if (length === 13 && name.toLowerCase() === 'cache-control') {
      cacheControl = joined(value, ', ')
    } else {
      merged[name] = value
      continue
    }
    found++
    merged[name.toLowerCase()] = value
  }
  if (found < 3) {
    vary ??= joined(outgoing.getHeader('vary'), ', ')
    cookies ??= outgoing.getHeader('set-cookie')
    cacheControl ??= joined(outgoing.getHeader('cache-control'), ', ')
  }
  if (changes.vary) merged['vary'] = varyWithCookie(vary) ?? vary
  if (changes.setCookie !== null) merged['set-cookie'] = [...list(cookies), changes.setCookie]
  if (changes.private) merged['cache-control'] = privateCacheControl(cacheControl) ?? cacheControl
  return merged
}

// The same for a flat list of names and values, which Node also takes: a name in the list
// replaces what setHeader() set under it, the others stay.
function mergeIntoList(
  outgoing: NodeResponse,
  headers: unknown[],
  changes: SessionHeaders,
): unknown[] {
  const merged: unknown[] = []
  let vary: string | null = null
  let cacheControl: string | null = null
  let cookies = false
  for (let i = 0; i + 1 < headers.length; i += 2) {
    const name = String(headers[i]).toLowerCase()
    const value = headers[i + 1]
    if (name === 'set-cookie') cookies = true
    if (name === 'vary' && changes.vary) vary = vary === null ? String(value) : `${vary}, ${value}`
    else if (name === 'cache-control' && changes.private) {
      cacheControl = cacheControl === null ? String(value) : `${cacheControl}, ${value}`
    } else merged.push(headers[i], value)
  }
  vary ??= joined(outgoing.getHeader('vary'), ', ')
  cacheControl ??= joined(outgoing.getHeader('cache-control'), ', ')
  if (!cookies && changes.setCookie !== null) {
    for (const cookie of list(outgoing.getHeader('set-cookie'))) merged.push('set-cookie', cookie)
  }
  if (changes.vary) {
    const value = varyWithCookie(vary) ?? vary
    if (value !== null) merged.push('vary', value)
  }
  if (changes.setCookie !== null) merged.push('set-cookie', changes.setCookie)
  if (changes.private) {
    const value = privateCacheControl(cacheControl) ?? cacheControl
    if (value !== null) merged.push('cache-control', value)
  }
  return merged
}

// A header value as Node holds it (a string, a number or a list) as one string, or null.
function joined(value: unknown, separator: string): string | null {
  if (value === undefined || value === null) return null
  return Array.isArray(value) ? value.join(separator) : String(value)
}

function list(value: unknown): unknown[] {
  if (value === undefined || value === null) return []
  return Array.isArray(value) ? value : [value]
}

// Duck-typed rather than `instanceof`, so that a Sessions object from another copy of the core
// The flash type of an app's Env, which its Sessions object must have.
type FlashOf<E> = E extends { Variables: { session: () => Promise<Session<any, infer Flash>> } }
  ? Flash
  : never

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
