import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Session, SessionData, Sessions } from '@fetch-session/core'
import { deferHead } from './deferred-head.ts'
import { requestFor } from './incoming-request.ts'

/**
 * A Node request that went through `sessionMiddleware`: `req.session` is loaded.
 * @typeParam Data the shape of the session data
 * @typeParam Req the request type to extend, such as Express's `Request`
 */
export type SessionRequest<
  Data extends object = SessionData,
  Req extends IncomingMessage = IncomingMessage,
> = Req & { session: Session<Data> }

/**
 * A Connect-style middleware, as `sessionMiddleware` returns it: usable with Express, Connect
 * and any framework that calls `(req, res, next)`.
 */
export type SessionMiddleware = (
  req: IncomingMessage,
  res: ServerResponse,
  next: (error?: unknown) => void,
) => void

/** Options of `sessionMiddleware`. */
export interface SessionMiddlewareOptions {
  /**
   * Told about a problem that can no longer reach `next()` because the response is on its way:
   * `req.session` changed after the response's first byte (its first `writeHead`, `write`, `end`
   * or `flushHeaders`), when the session had already been committed, so the change was not
   * saved. The error's `code` is `'SESSION_CHANGED_AFTER_HEAD'`. Log it here. Default: none.
   */
  onError?: (error: unknown, req: IncomingMessage) => void
}

/**
 * Creates a Connect-style middleware that loads the session into `req.session` before calling
 * `next()`, and commits it just before the response's head goes out, whichever way the handler
 * writes it (`res.end`, `res.writeHead`, a piped stream, Express's `res.send` or `res.redirect`).
 * The session's `Set-Cookie` is added to any the handler set, `Cookie` is merged into `Vary`, and
 * `Cache-Control: private` is added when the cookie is set and the handler chose no caching. A
 * response with status 500 or more persists nothing. The session is committed once, at the first
 * byte: change it before writing (a change made later is not saved, see `options.onError`).
 *
 * Failures of the store reach `next(error)` as a `SessionStoreError`: when loading, instead of
 * the handler; when committing, instead of the handler's response, whose headers are discarded.
 * Every request through the middleware loads its session, so mount it only on the routes that
 * use one.
 * @param sessions the application's `Sessions` object, from `createSessions`
 * @param options see `SessionMiddlewareOptions`
 * @returns the middleware
 * @typeParam Data the shape of the session data
 */
export function sessionMiddleware<Data extends object = SessionData>(
  sessions: Sessions<Data>,
  options: SessionMiddlewareOptions = {},
): SessionMiddleware {
  const { onError } = options
  return (req, res, next) => {
    const request = requestFor(req)
    // Mounted twice for one request (an app and a router): the first mount commits.
    const hooked = sessions.isLoaded(request)
    sessions.load(request).then(
      (session) => {
        ;(req as SessionRequest<Data>).session = session
        if (!hooked) {
          deferHead(
            res,
            (status) => {
              // The session as committed, to compare once the response is out (in the same tick
              // as the commit, which serializes it at once). Nothing is saved at 500 or more.
              const committed = onError !== undefined && status < 500 ? fingerprint(session) : null
              const committing = commitHead(sessions, session, res, status)
              if (committed === null) return committing
              return committing.then(() => {
                res.once('finish', () => {
                  if (fingerprint(session) !== committed) onError?.(changedAfterHead(), req)
                })
              })
            },
            (error) => {
              discardHead(res)
              next(error)
            },
          )
        }
        next()
      },
      (error: unknown) => next(error),
    )
  }
}

// Commits through the core with a stand-in Response carrying what the core reads or merges (the
// status, Vary, Cache-Control), then copies the headers it decided onto the Node response.
async function commitHead<Data extends object>(
  sessions: Sessions<Data>,
  session: Session<Data>,
  res: ServerResponse,
  status: number,
): Promise<void> {
  const headers = new Headers()
  for (const name of ['vary', 'cache-control']) {
    const value = res.getHeader(name)
    if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : `${value}`)
  }
  // A Response takes statuses 200 to 599 only, so the probe says 200 and the real status decides
  // whether anything is saved (nothing at 500 or more, 600-999 included).
  const probe = new Response(null, { headers })
  const committed = (await sessions.commit(session, probe, { persist: status < 500 })).headers
  for (const cookie of committed.getSetCookie()) res.appendHeader('set-cookie', cookie)
  const vary = committed.get('vary')
  if (vary !== null && vary !== headers.get('vary')) res.setHeader('vary', vary)
  const cacheControl = committed.get('cache-control')
  if (cacheControl !== null && !res.hasHeader('cache-control')) {
    res.setHeader('cache-control', cacheControl)
  }
}

// The handler's response could not be committed: it is replaced by whatever the error handler
// sends, so none of its headers (Content-Length, Location, a cookie of its own) may leak into it.
function discardHead(res: ServerResponse): void {
  for (const name of res.getHeaderNames()) res.removeHeader(name)
  res.statusCode = 200
  res.statusMessage = ''
}

// What an application changes through the Session API: the data, nested values included, and
// the id, which regenerate() and destroy() replace. The id is read only when there is data, since
// reading it draws one for a new session. `null` when the data no longer serializes (a cycle
// added to a nested value), which the commit also refuses. flash() and setExpiry() leave no
// trace here.
function fingerprint(session: Session<object>): string | null {
  try {
    const entries = session.entries()
    return JSON.stringify([entries.length === 0 ? null : session.id, entries])
  } catch {
    return null
  }
}

function changedAfterHead(): Error {
  return Object.assign(
    new Error('req.session changed after the response started, so the change was not saved'),
    { code: 'SESSION_CHANGED_AFTER_HEAD' },
  )
}
