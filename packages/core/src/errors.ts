/**
 * Stable machine-readable codes carried by every error this package throws.
 */
export type SessionErrorCode =
  | 'COOKIE_INVALID'
  | 'SESSION_CONFIG_INVALID'
  | 'SESSION_DATA_INVALID'
  | 'SESSION_STORE_FAILED'
  | 'SESSION_TOO_LARGE'
  | 'conflict'

/**
 * Base class of every error thrown by fetch-session. Messages never contain a secret, a session
 * id or session data, so they are safe to log.
 */
export class SessionError extends Error {
  /** A stable code to branch on; messages may change between versions, codes do not. */
  readonly code: SessionErrorCode

  /**
   * @param code the stable code of this error
   * @param message a human-readable explanation, free of secrets and session data
   * @param options the standard `cause`
   */
  constructor(code: SessionErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.code = code
    this.name = new.target.name
  }
}

/**
 * Thrown by `serializeCookie` for a name, value or attribute that a browser would reject or
 * misread. `parseCookie` never throws.
 */
export class CookieError extends SessionError {
  /** @param message what is wrong with the cookie, naming the attribute */
  constructor(message: string) {
    super('COOKIE_INVALID', message)
  }
}

/**
 * Thrown by `createSessions` and by store constructors for options that cannot work, at
 * configuration time. Never thrown while serving a request.
 */
export class SessionConfigError extends SessionError {
  /** @param message names the option and what would be valid */
  constructor(message: string, options?: { cause?: unknown }) {
    super('SESSION_CONFIG_INVALID', message, options)
  }
}

/**
 * Thrown by `session.set()` and `session.flash()` for a value that would not survive a JSON
 * round trip, at the line that set it rather than at commit time.
 */
export class SessionDataError extends SessionError {
  /** @param message where in the value the problem is, without the value itself */
  constructor(message: string) {
    super('SESSION_DATA_INVALID', message)
  }
}

/** The store operations a `SessionStoreError` names. */
export type SessionStoreOperation = 'get' | 'set' | 'delete' | 'read' | 'write' | 'remove' | 'list'

/**
 * A session store's operation failed, took longer than `storeTimeout`, or (code `conflict`) kept
 * losing its compare-and-set to other writers past the retry bound. The message names the
 * operation only. The store's own error is kept as `cause`, sanitized first: a copy with its
 * name, its `code` and its message with anything shaped like a session id and any text in
 * double quotes (the keys and values of a record's data) blanked out, so that logging the error
 * (as Hono's default `onError` does) never prints an id or a record.
 */
export class SessionStoreError extends SessionError {
  /**
   * @param operation the store method that failed
   * @param cause the store's error; `undefined` for a conflict or a timeout
   * @param reason what went wrong, when it was not the store's own error
   */
  constructor(operation: SessionStoreOperation, cause: unknown, reason?: 'conflict' | 'timeout') {
    const message =
      reason === 'conflict'
        ? `The session changed under every one of the store's compare-and-set attempts to ${operation} it`
        : reason === 'timeout'
          ? `The session store did not answer in time to ${operation} a session`
          : `The session store failed to ${operation} a session`
    super(
      reason === 'conflict' ? 'conflict' : 'SESSION_STORE_FAILED',
      message,
      cause === undefined ? undefined : { cause: sanitize(cause) },
    )
  }
}

// Session ids (and most tokens, keys and values worth hiding) are long runs of these characters.
const TOKEN = /[A-Za-z0-9_+/=-]{24,}/g

// A copy of a store's error safe to log: its name, its message and its own string, number and
// boolean properties (a `code`, a limit), tokens blanked; no stack (which repeats the message)
// and no object property (a driver may attach the query and its values).
function sanitize(error: unknown): Error {
  // The library's own errors never carry an id or data (see SessionError).
  if (error instanceof SessionError) return error
  const name = error instanceof Error ? error.name : typeof error
  const message = redact(error instanceof Error ? error.message : '')
  const copy = new Error(message)
  copy.name = name
  copy.stack = `${name}: ${message}`
  if (error !== null && typeof error === 'object') {
    for (const [key, value] of Object.entries(error)) {
      if (key === 'message' || key === 'stack' || key === 'name') continue
      if (typeof value === 'string') Object.assign(copy, { [key]: redact(value) })
      else if (typeof value === 'number' || typeof value === 'boolean') {
        Object.assign(copy, { [key]: value })
      }
    }
  }
  return copy
}

// What a message may take of a log. A message is cut to four times that before redaction, so
// that redacting a long one stays cheap, and to this after.
const KEPT = 300

function redact(text: string): string {
  return unquoted(text.slice(0, 4 * KEPT))
    .replace(TOKEN, '[redacted]')
    .slice(0, KEPT)
}

// The text with whatever stands in double quotes blanked, as the keys and values of a session's
// data stand in its record (`{"user":"ada"}`), up to the end for a quote left open (a record cut
// short); in one pass, escaped quotes included.
function unquoted(text: string): string {
  let kept = ''
  let from = 0
  for (;;) {
    const open = text.indexOf('"', from)
    if (open === -1) return kept + text.slice(from)
    kept += text.slice(from, open) + '[redacted]'
    let close = open + 1
    while (close < text.length && text.charCodeAt(close) !== 0x22) {
      close += text.charCodeAt(close) === 0x5c ? 2 : 1
    }
    if (close >= text.length) return kept
    from = close + 1
  }
}

/**
 * A session kept in the cookie itself (`CookieStore`) grew past what browsers keep: 4096 bytes
 * for the cookie's name and value together.
 * @see https://httpwg.org/http-extensions/draft-ietf-httpbis-rfc6265bis.html#section-5.7
 */
export class SessionTooLargeError extends SessionError {
  /**
   * @param size the bytes the cookie would need
   * @param limit the bytes a browser keeps
   */
  constructor(
    readonly size: number,
    readonly limit: number,
  ) {
    super(
      'SESSION_TOO_LARGE',
      `The session cookie would be ${size} bytes, over the ${limit} bytes browsers keep; ` +
        'store less in the session or use a server-side store',
    )
  }
}
