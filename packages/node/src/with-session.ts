import type { IncomingMessage, ServerResponse } from 'node:http'
import type { SessionData, Sessions } from '@fetch-session/core'
import { hasEnded } from './deferred-head.ts'
import { sessionMiddleware } from './session-middleware.ts'
import type { SessionRequest } from './session-middleware.ts'

/** Options of `withSession`. */
export interface WithSessionOptions {
  /**
   * Told about every error that turned into a 500: a store failure (a `SessionStoreError`, whose
   * message holds no session id) or an error thrown or rejected by the handler. Also told, once
   * the response is out, when `req.session` changed after the response's first byte and the
   * change was not saved (code `'SESSION_CHANGED_AFTER_HEAD'`, see `sessionMiddleware`). Log it
   * here. Default: none, the error is dropped after the 500 is sent.
   */
  onError?: (error: unknown, req: IncomingMessage) => void
}

/**
 * Turns a plain `node:http` handler into a request listener that gives it `req.session`. The
 * session is loaded before the handler runs and committed before the response's head goes out
 * (see `sessionMiddleware`), so change it before writing. When the store fails, or the handler
 * throws or rejects before responding, the client gets a bare 500 and nothing is persisted; an
 * error after the handler started its response closes the connection instead, unless it had
 * ended the response. Unless `createSessions` was given a `crypto` of its own, `sessions` signs
 * and seals with `nodeCrypto` from here on (same cookies, faster).
 * @param sessions the application's `Sessions` object, from `createSessions`
 * @param handler a `(req, res)` handler; it may be async
 * @param options see `WithSessionOptions`
 * @returns a listener for `http.createServer()` or `server.on('request', ...)`
 * @typeParam Data the shape of the session data
 */
export function withSession<Data extends object = SessionData, Flash extends object = Data>(
  sessions: Sessions<Data, Flash>,
  handler: (req: SessionRequest<Data, IncomingMessage, Flash>, res: ServerResponse) => unknown,
  options: WithSessionOptions = {},
): (req: IncomingMessage, res: ServerResponse) => void {
  const { onError } = options
  const middleware = sessionMiddleware(sessions, onError !== undefined ? { onError } : {})
  return (req, res) => {
    let started = false
    const fail = (error: unknown) => {
      onError?.(error, req)
      if (res.headersSent) {
        // Too late for a 500. A response the handler ended goes out as it is; one it left
        // half-written cannot be completed, so the connection is closed.
        if (!hasEnded(res)) res.destroy()
        return
      }
      for (const name of res.getHeaderNames()) res.removeHeader(name)
      res.statusCode = 500
      res.setHeader('content-type', 'text/plain; charset=utf-8')
      res.end('Internal Server Error')
    }
    middleware(req, res, (error) => {
      if (error !== undefined) return fail(error)
      // The middleware calls next() once, and next(error) at most once more; never run twice.
      if (started) return
      started = true
      try {
        const result = handler(req as SessionRequest<Data, IncomingMessage, Flash>, res)
        if (isPromiseLike(result)) result.then(undefined, fail)
      } catch (error) {
        fail(error)
      }
    })
  }
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  )
}
