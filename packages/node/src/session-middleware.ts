import type { IncomingMessage, ServerResponse } from 'node:http'
import { ANSWER_HEADERS, privateCacheControl, varyWithCookie } from '@fetch-session/core'
import type { Session, SessionData, Sessions } from '@fetch-session/core'
import { deferHead } from './deferred-head.ts'
import { requestFor } from './incoming-request.ts'
import { nodeCrypto } from './node-crypto.ts'
import { adoptSession, isNodeSession, settleProperties } from './node-session.ts'
import type { NodeSession } from './node-session.ts'
import { handlerFailed } from './session-error-handler.ts'

/**
 * A Node request that went through `sessionMiddleware`: `req.session` is loaded, the core's
 * `Session` with express-session's callback forms and property access (see `NodeSession`).
 * @typeParam Data the shape of the session data
 * @typeParam Req the request type to extend, such as Express's `Request`
 * @typeParam Flash the shape of the flash values; default: the same as `Data`
 */
export type SessionRequest<
  Data extends object = SessionData,
  Req extends IncomingMessage = IncomingMessage,
  Flash extends object = Data,
> = Req & { session: NodeSession<Data, Flash> }

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
 * response with status 500 or more persists nothing, nor does a handler whose error went through
 * `sessionErrorHandler()` (mount it before your own error handlers). The session is committed
 * once, at the first byte: change it before writing (a change made later is not saved, see
 * `options.onError`).
 *
 * Failures of the store reach `next(error)` as a `SessionStoreError`: when loading, instead of
 * the handler; when committing, instead of the handler's response, whose headers describing its
 * answer (its body, its redirect, its caching, its cookies) are discarded, while the others
 * (security headers of earlier middleware) stay, and `Vary: Cookie` is added.
 * Every request through the middleware loads its session, so mount it only on the routes that
 * use one. Unless `createSessions` was given a `crypto` of its own, `sessions` signs and seals
 * with `nodeCrypto` from here on (same cookies, faster).
 * @param sessions the application's `Sessions` object, from `createSessions`
 * @param options see `SessionMiddlewareOptions`
 * @returns the middleware
 * @typeParam Data the shape of the session data
 */
export function sessionMiddleware<Data extends object = SessionData, Flash extends object = Data>(
  sessions: Sessions<Data, Flash>,
  options: SessionMiddlewareOptions = {},
): SessionMiddleware {
  const { onError } = options
  // Byte-identical to Web Crypto and several times faster on Node; a crypto the application
  // chose itself is kept.
  sessions.preferCrypto(nodeCrypto)
  return (req, res, next) => {
    const request = requestFor(req)
    // Mounted twice for one request (an app and a router): the first mount commits.
    const hooked = sessions.isLoaded(request)
    sessions.load(request).then(
      (loaded) => {
        const target = req as SessionRequest<Data, IncomingMessage, Flash>
        if (hooked) {
          // The first mount adopted it and put it there; a reload() may have replaced it since.
          if (!isNodeSession(target.session)) target.session = loaded as NodeSession<Data, Flash>
          return next()
        }
        // The session to commit: the one loaded here, until reload() replaces it.
        let current = loaded
        const reload = async () => {
          const fresh = await sessions.load(new Request(request.url, { headers: request.headers }))
          current = fresh
          target.session = adoptSession(fresh, res, reload)
        }
        target.session = adoptSession(loaded, res, reload)
        deferHead(
          res,
          (status) => {
            const session = current
            settleProperties(session)
            // The session as committed, to compare once the response is out (in the same tick
            // as the commit, which serializes it at once). Nothing is saved at 500 or more, nor
            // for a failed handler.
            const saving = status < 500 && !handlerFailed(req)
            const committed = onError !== undefined && saving ? fingerprint(session) : null
            const committing = commitHead(sessions, session, req, res, status)
            if (committed === null) return committing
            return committing.then(() => {
              res.once('finish', () => {
                if (fingerprint(current) !== committed) onError?.(changedAfterHead(), req)
              })
            })
          },
          (error) => {
            discardHead(res)
            next(error)
          },
        )
        next()
      },
      (error: unknown) => next(error),
    )
  }
}

// Commits through the core and writes the headers it decided straight onto the Node response.
async function commitHead<Data extends object, Flash extends object>(
  sessions: Sessions<Data, Flash>,
  session: Session<Data, Flash>,
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
): Promise<void> {
  // A failed handler's changes are not saved, whatever status its error handler answers with.
  const changes = await sessions.commitHeaders(session, status, { persist: !handlerFailed(req) })
  if (changes.vary) addVaryCookie(res)
  if (changes.setCookie !== null) res.appendHeader('set-cookie', changes.setCookie)
  if (changes.private) {
    const cacheControl = privateCacheControl(headerText(res.getHeader('cache-control')))
    if (cacheControl !== null) res.setHeader('cache-control', cacheControl)
  }
}

function headerText(value: number | string | string[] | undefined): string | null {
  if (value === undefined) return null
  return Array.isArray(value) ? value.join(', ') : `${value}`
}

// The handler's response could not be committed: it is replaced by whatever the error handler
// sends, so the headers of its own answer (ANSWER_HEADERS) must not leak into that one. That
// answer was still chosen for a request whose session was loaded: it varies with the cookie.
function discardHead(res: ServerResponse): void {
  for (const name of ANSWER_HEADERS) res.removeHeader(name)
  res.statusCode = 200
  res.statusMessage = ''
  addVaryCookie(res)
}

function addVaryCookie(res: ServerResponse): void {
  const vary = varyWithCookie(headerText(res.getHeader('vary')))
  if (vary !== null) res.setHeader('vary', vary)
}

// What an application changes through the Session API: the data, nested values included, and
// the id, which regenerate() and destroy() replace. The id is read only when there is data, since
// reading it draws one for a new session. `null` when the data no longer serializes (a cycle
// added to a nested value), which the commit also refuses. flash() and setExpiry() leave no
// trace here.
function fingerprint(session: Session<any, any>): string | null {
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
