import type { IncomingMessage, ServerResponse } from 'node:http'

/**
 * An Express or Connect error-handling middleware, as `sessionErrorHandler` returns it: four
 * parameters, which is how those frameworks tell an error handler from a middleware.
 */
export type SessionErrorHandler = (
  error: unknown,
  req: IncomingMessage,
  res: ServerResponse,
  next: (error?: unknown) => void,
) => void

// Requests whose handler failed. Express hands an error from layer to layer through a `next` of
// its router's own, which no middleware can wrap; an error handler is the one place it shows.
const failed = new WeakSet<IncomingMessage>()

/**
 * Creates the error-handling middleware that keeps a failed request's session changes from being
 * saved: a handler that throws, rejects or calls `next(error)` persists nothing, even when the
 * error handler that answers uses a status below 500 (a 400 or a 403), and its answer still gets
 * `Vary: Cookie`. Mount it after your routes and before your own error handlers, since Express
 * calls error handlers in order and one that answers stops the chain. It passes every error on
 * unchanged, with `next(error)`.
 * @returns the error handler, for `app.use()`
 * @see https://expressjs.com/en/guide/error-handling.html
 */
export function sessionErrorHandler(): SessionErrorHandler {
  // All four parameters are declared: Express counts them (`fn.length === 4`).
  return (error, req, _res, next) => {
    failed.add(req)
    next(error)
  }
}

/**
 * Tells whether an error of this request's handler went through `sessionErrorHandler`.
 * @param req the Node request
 */
export function handlerFailed(req: IncomingMessage): boolean {
  return failed.has(req)
}
