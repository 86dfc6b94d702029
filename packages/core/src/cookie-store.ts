import { SessionConfigError } from './errors.ts'

/** Options of `CookieStore`. */
export interface CookieStoreOptions {
  /**
   * The most cookie values to remember, so that a browser resending the same cookie costs no
   * decryption: values this process sealed, and values that decrypted and authenticated. Those
   * nobody resent are forgotten half the limit at a time. Default: 1000.
   */
  cacheSize?: number
  /**
   * Seconds after its creation after which a sealed session ends however active it is, unless
   * `createSessions` sets its own `absoluteTimeout`. The server keeps nothing, so a copy of a
   * cookie cannot be revoked: this bounds how long a copied cookie (or one kept from before a
   * logout) stays good. Default: 1209600 (two weeks, Django's `SESSION_COOKIE_AGE`).
   */
  absoluteTimeout?: number
}

/**
 * The stateless store: the whole session is sealed (AES-256-GCM) inside the cookie itself, so
 * nothing is kept on the server. Pass it as `store` to `createSessions`; the encryption keys are
 * derived from the `secrets` given there, with HKDF-SHA256, one per secret, so rotation works as
 * for signatures.
 *
 * Limits: the cookie must stay under 4096 bytes (a `SessionTooLargeError` says so at `set()`),
 * and since the server keeps nothing, `destroy()` and `regenerate()` cannot revoke a copy of an
 * old cookie before it expires: `absoluteTimeout` bounds how long that is. Sessions kept here
 * cannot be listed or ended by user (`sessions.listSessions()` needs a server-side store).
 */
export class CookieStore {
  /** The resolved cache size. */
  readonly cacheSize: number
  /** The resolved absolute timeout, in seconds. */
  readonly absoluteTimeout: number

  /** @param options see `CookieStoreOptions` */
  constructor(options: CookieStoreOptions = {}) {
    const size = options.cacheSize ?? 1000
    if (!Number.isSafeInteger(size) || size < 0) {
      throw new SessionConfigError('CookieStore `cacheSize` must be a non-negative integer')
    }
    this.cacheSize = size
    const absolute = options.absoluteTimeout ?? 14 * 24 * 60 * 60
    if (!Number.isSafeInteger(absolute) || absolute < 1) {
      throw new SessionConfigError(
        'CookieStore `absoluteTimeout` must be a positive integer number of seconds',
      )
    }
    this.absoluteTimeout = absolute
  }
}
