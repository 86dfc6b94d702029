import type { Session } from '@fetch-session/core'

/**
 * `req.session.cookie`, as code written for express-session reads it: when the session expires,
 * and the two ways of changing one session's lifetime that express-session offers, which map to
 * `session.setExpiry()`. The cookie's other attributes (`path`, `domain`, `secure`, `httpOnly`,
 * `sameSite`…) are the same for every session, set once in the `cookie` option of
 * `createSessions`: assigning them here throws.
 * @see https://github.com/expressjs/session#cookie
 */
export class SessionCookie {
  readonly #session: Session<any, any>

  /** @internal Made by `req.session.cookie`. */
  constructor(session: Session<any, any>) {
    this.#session = session
  }

  /**
   * When the session expires on the server (`session.expiresAt`), or `null` while it is empty.
   * Assigning a `Date` ends the session then, however active (`setExpiry(date)`); `null` or
   * `false` makes the cookie last until the browser closes (`setExpiry(0)`).
   */
  get expires(): Date | null {
    return this.#session.expiresAt
  }

  set expires(value: Date | null | false) {
    if (value === null || value === false) this.#session.setExpiry(0)
    else if (value instanceof Date) this.#session.setExpiry(value)
    else throw new RangeError('req.session.cookie.expires takes a Date, null or false')
  }

  /**
   * Milliseconds until the session expires, or `null` while it is empty. Assigning a number of
   * milliseconds gives this session that idle timeout (`setExpiry(seconds)`, rounded up to whole
   * seconds, at most 400 days); `null` makes the cookie last until the browser closes
   * (`setExpiry(0)`).
   */
  get maxAge(): number | null {
    const expiresAt = this.#session.expiresAt
    return expiresAt === null ? null : Math.max(0, expiresAt.getTime() - Date.now())
  }

  set maxAge(value: number | null) {
    if (value === null) {
      this.#session.setExpiry(0)
      return
    }
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
      throw new RangeError(
        'req.session.cookie.maxAge takes a positive number of milliseconds or null; to end the session, call req.session.destroy()',
      )
    }
    this.#session.setExpiry(Math.ceil(value / 1000))
  }
}

// express-session lets each session change these; here they are one option for all sessions.
for (const name of [
  'originalMaxAge',
  'path',
  'domain',
  'secure',
  'httpOnly',
  'sameSite',
  'partitioned',
  'priority',
]) {
  Object.defineProperty(SessionCookie.prototype, name, {
    configurable: true,
    get: () => undefined,
    set() {
      throw new TypeError(
        `req.session.cookie.${name} is the same for every session: set it once, in createSessions() (its \`cookie\` and \`idleTimeout\` options)`,
      )
    },
  })
}
