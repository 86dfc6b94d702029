/** What the store was doing when its database failed, as its error messages say it. */
export type StoreOperation =
  | 'read a session'
  | 'write a session'
  | 'remove a session'
  | "list a user's sessions"
  | 'sweep expired sessions'
  | 'create its table'

// SQLSTATE classes whose messages name only the server's state or schema objects (connection
// exceptions, authorization, missing tables, permissions, resources, shutdowns, timeouts,
// deadlocks), never a value from a row. Other classes can: data exceptions (22) quote the input,
// and raised exceptions (P0) say whatever a trigger wrote. `detail` is never kept: integrity
// violations (23) put the offending row there.
// https://www.postgresql.org/docs/current/errcodes-appendix.html
const SAFE_SQLSTATE_CLASSES = new Set(['08', '25', '28', '3D', '3F', '40', '42', '53', '55', '57'])
const SQLSTATE = /^[0-9A-Z]{5}$/
// Client-side error codes: Node's (ECONNREFUSED) and postgres.js's (CONNECT_TIMEOUT).
const CLIENT_CODE = /^[A-Z][A-Z0-9_]{1,39}$/
// The messages `pg` and PGlite give without a code: timeouts and lost or closed connections, with
// no values in them.
const SAFE_MESSAGES = new Set([
  'timeout exceeded when trying to connect',
  'Query read timeout',
  'Connection terminated',
  'Connection terminated unexpectedly',
  'Connection terminated due to connection timeout',
  'Client has encountered a connection error and is not queryable',
  'Client was closed and is not queryable',
  'Cannot use a pool after calling end on the pool',
  'PGlite is closed',
])

/**
 * Turns a database client's error into one that is safe to log: database errors can carry the
 * values of a row (in `detail`, and in some messages), which here are session ids and records.
 * Only the error's code, and its message where that is known to hold no value, are kept.
 * @param operation what failed
 * @param error the client's error
 * @returns an `Error` with a sanitized message and, when there was one, the original `code`
 */
export function storeError(operation: StoreOperation, error: unknown): Error {
  const code = (error as { code?: unknown } | null)?.code
  const message = (error as { message?: unknown } | null)?.message
  let reason: string
  if (typeof code === 'string' && SQLSTATE.test(code)) {
    const safe = SAFE_SQLSTATE_CLASSES.has(code.slice(0, 2)) && typeof message === 'string'
    reason = safe ? `${code}: ${message}` : code
  } else if (typeof code === 'string' && CLIENT_CODE.test(code)) {
    reason = code
  } else if (typeof message === 'string' && SAFE_MESSAGES.has(message)) {
    reason = message
  } else {
    reason = error instanceof Error ? error.name : 'unknown error'
  }
  const sanitized = new Error(`PostgresStore could not ${operation} (${reason})`)
  return typeof code === 'string' ? Object.assign(sanitized, { code }) : sanitized
}
