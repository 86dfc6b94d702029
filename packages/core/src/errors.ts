/**
 * Stable machine-readable codes carried by every error this package throws.
 */
export type SessionErrorCode =
  | 'COOKIE_INVALID'
  | 'SESSION_CONFIG_INVALID'
  | 'SESSION_DATA_INVALID'
  | 'SESSION_STORE_FAILED'
  | 'SESSION_TOO_LARGE'

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

/**
 * A session store's operation failed. The store's own error is kept as `cause`; the message
 * names the operation only, never the session id.
 */
export class SessionStoreError extends SessionError {
  /**
   * @param operation the store method that failed
   * @param cause the store's error
   */
  constructor(operation: 'get' | 'set' | 'delete', cause: unknown) {
    super('SESSION_STORE_FAILED', `The session store failed to ${operation} a session`, { cause })
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
