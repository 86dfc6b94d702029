import { CookieSealer } from './cookie-sealing.ts'
import { MAX_COOKIE_AGE, MAX_COOKIE_SIZE, serializeCookie } from './cookie-serialize.ts'
import type { SerializeCookieOptions } from './cookie-serialize.ts'
import { CookieKeeping } from './cookie-keeping.ts'
import { CookieStore } from './cookie-store.ts'
import { CookieError, SessionConfigError, SessionTooLargeError } from './errors.ts'
import { MemoryStore } from './memory-store.ts'
import type { ExpiryPolicy, SessionState } from './session.ts'
import type { SessionKeeping } from './session-keeping.ts'
import { serializeBody, serializeRecord } from './session-record.ts'
import type { SessionStore, VersionedSessionStore } from './session-store.ts'
import { webCrypto } from './session-crypto.ts'
import type { SessionCrypto } from './session-crypto.ts'
import { StoreKeeping } from './store-keeping.ts'

/** Options of the session cookie. */
export interface SessionCookieOptions {
  /**
   * The cookie name. Default: `"session"`. In production prefer `"__Host-session"`: the browser
   * then refuses it unless it is Secure, host-only and for path `/`, so a sibling subdomain
   * cannot plant or shadow it.
   */
  name?: string
  /** Default: `"/"`. */
  path?: string
  /** Default: none, meaning this host only (the safer choice). */
  domain?: string
  /** Default: `true`; page scripts cannot read the id. */
  httpOnly?: boolean
  /** Default: `"lax"`. */
  sameSite?: 'lax' | 'strict' | 'none'
  /**
   * Default: `true`. Chrome and Firefox accept Secure cookies from `http://localhost`, so
   * development works there (Safari does not: use `"auto"` in development). `false` is for
   * plain-HTTP hosts only; `"auto"` follows the request URL's scheme
   * (behind a proxy that terminates TLS, make sure the URL says `https:`).
   */
  secure?: boolean | 'auto'
  /** CHIPS partitioned cookie, for sessions inside third-party iframes. Default: `false`. */
  partitioned?: boolean
}

/** Options of `sessions.commit()`. */
export interface CommitOptions {
  /**
   * Whether to save the session. `false` only adds `Vary: Cookie`, for a response that answers
   * a failure (rule 6). Default: `true`; responses with status 500 or more never save.
   */
  persist?: boolean
}

/** Options of `createSessions`. */
export interface SessionsOptions {
  /**
   * Secrets of at least 32 characters. The first signs new cookies (and, with `CookieStore`,
   * encrypts); every one verifies. To rotate, put the new secret first and keep the old one
   * until the sessions it signed have expired: their cookies are re-issued under the new one.
   * Required.
   */
  secrets: string | readonly string[]
  /**
   * Where sessions live: a store of the version 2 contract (`VersionedSessionStore`, as
   * `MemoryStore`, `FileStore`, `RedisStore`, `PostgresStore` and `DurableObjectStore` are), a
   * version 1 `SessionStore` (used last-write-wins), or `CookieStore`. Default: a new
   * `MemoryStore()`.
   */
  store?: SessionStore | VersionedSessionStore | CookieStore
  /** The session cookie's attributes. */
  cookie?: SessionCookieOptions
  /**
   * Seconds of inactivity after which a session is gone. Default: 1209600 (two weeks, as
   * Django). At most 400 days, the longest a browser keeps a cookie.
   */
  idleTimeout?: number
  /** Seconds after creation after which a session is gone however active. Default: none. */
  absoluteTimeout?: number
  /**
   * Whether reading a session extends its idle timeout. When `false`, only changes extend it
   * (as Django does by default). Default: `true`.
   */
  rolling?: boolean
  /**
   * The least number of seconds between two refreshes of a session's cookie lifetime (its
   * `Max-Age`), each of which costs a `Set-Cookie` and, for an unchanged session (with
   * `rolling`), a store write. A change moves the session's expiry on the server at once (and
   * re-sends a `CookieStore` cookie, whose value is the data, with a fresh lifetime).
   * Default: a tenth of `idleTimeout`, at most one day (so one day for the two-week default, 3
   * minutes for a 30-minute timeout).
   */
  touchInterval?: number
  /**
   * Send the cookie without Max-Age, so the browser drops it when it closes; the server still
   * enforces the timeouts. Default: `false`.
   */
  browserSession?: boolean
  /**
   * The cryptographic primitives. Default: `webCrypto` (Web Crypto, everywhere). On Node,
   * `nodeCrypto` from `@fetch-session/node` gives byte-identical results several times faster.
   */
  crypto?: SessionCrypto
  /**
   * Milliseconds a store call may take before it fails with a `SessionStoreError` (code
   * `SESSION_STORE_FAILED`), so that a store that never answers (a server gone, a client
   * queueing commands while offline) gives a 500 instead of a request that hangs; at most
   * 2147483647 (about 24.8 days), the longest timer. Default: 5000.
   */
  storeTimeout?: number
}

/** The options once checked and defaulted, as `Sessions` uses them. */
export interface ResolvedOptions {
  secrets: readonly string[]
  /** How sessions are kept: signed ids and a server store, or the sealed cookie. */
  keeping: SessionKeeping
  cookieName: string
  /**
   * The cookie's name over HTTPS and over plain HTTP: the same, except that with `secure:
   * "auto"` a `__Host-` or `__Secure-` name loses its prefix over plain HTTP, where browsers
   * refuse prefixed cookies (they need Secure), so development on http://localhost works.
   */
  names: { secure: string; insecure: string }
  cookie: SerializeCookieOptions
  secure: boolean | 'auto'
  policy: ExpiryPolicy
  browserSession: boolean
  crypto: SessionCrypto
  /** Whether `crypto` was given, so that an adapter's faster choice must not replace it. */
  cryptoGiven: boolean
  /** The serialized attributes after the value and Max-Age, with and without `Secure`. */
  attributes: { secure: string; insecure: string }
  /** With `CookieStore`, the check that refuses at `set()` a session too big for the cookie. */
  checkSize: ((state: SessionState) => void) | undefined
}

const TWO_WEEKS = 14 * 24 * 60 * 60
const ONE_DAY = 24 * 60 * 60
const DEFAULT_STORE_TIMEOUT = 5000
// The longest delay a timer takes: 2^31 - 1 milliseconds.
const MAX_TIMER = 2_147_483_647
const encoder = new TextEncoder()

/**
 * Checks the options of `createSessions` and applies their defaults, once.
 * @param options the options as given
 * @returns the resolved options
 * @throws SessionConfigError naming the option at fault and what would be valid
 */
export function resolveOptions(options: SessionsOptions): ResolvedOptions {
  if (options === null || typeof options !== 'object') {
    throw new SessionConfigError('createSessions() needs an options object with at least `secrets`')
  }
  const secrets = typeof options.secrets === 'string' ? [options.secrets] : options.secrets
  if (!Array.isArray(secrets) || secrets.length === 0) {
    throw new SessionConfigError('`secrets` must be a string or a non-empty array of strings')
  }
  secrets.forEach(checkSecret)

  const provider = options.crypto ?? webCrypto
  for (const method of ['sign', 'verify', 'encrypt', 'decrypt'] as const) {
    if (typeof provider?.[method] !== 'function') {
      throw new SessionConfigError(
        `\`crypto\` must implement SessionCrypto: \`${method}\` is missing`,
      )
    }
  }
  const store = options.store ?? new MemoryStore()
  const cookieName = options.cookie?.name ?? 'session'
  const storeTimeout = options.storeTimeout ?? DEFAULT_STORE_TIMEOUT
  // Runtimes fire a longer timer at once (Node with a warning).
  if (!Number.isSafeInteger(storeTimeout) || storeTimeout < 1 || storeTimeout > MAX_TIMER) {
    throw new SessionConfigError(
      '`storeTimeout` must be a positive integer number of milliseconds, at most 2147483647',
    )
  }

  const idleTimeout = seconds('idleTimeout', options.idleTimeout ?? TWO_WEEKS, MAX_COOKIE_AGE)
  // A sealed cookie cannot be revoked, so CookieStore bounds how long a copy of one stays good.
  const absolute =
    options.absoluteTimeout ?? (store instanceof CookieStore ? store.absoluteTimeout : undefined)
  const absoluteTimeout =
    absolute === undefined
      ? undefined
      : seconds('absoluteTimeout', absolute, Number.MAX_SAFE_INTEGER / 1000)
  const touchInterval =
    options.touchInterval === undefined
      ? Math.min(Math.ceil(idleTimeout / 10), ONE_DAY)
      : seconds('touchInterval', options.touchInterval, idleTimeout - 1, 0)

  const c = options.cookie ?? {}
  const secure = c.secure ?? true
  if (secure !== true && secure !== false && secure !== 'auto') {
    throw new SessionConfigError('`cookie.secure` must be true, false or "auto"')
  }
  const cookie: SerializeCookieOptions = {
    path: c.path ?? '/',
    httpOnly: c.httpOnly ?? true,
    sameSite: c.sameSite ?? 'lax',
    partitioned: c.partitioned ?? false,
  }
  if (c.domain !== undefined) cookie.domain = c.domain
  // Serializing a sample cookie checks every attribute and the name's prefix rules now, not on
  // the first request, and gives the attributes that every Set-Cookie ends with. "auto" must
  // hold for both schemes, so it is checked as both.
  const names = {
    secure: cookieName,
    insecure: secure === 'auto' ? cookieName.replace(/^__(?:Host|Secure)-/i, '') : cookieName,
  }
  const attributes = { secure: '', insecure: '' }
  for (const sample of secure === 'auto' ? [true, false] : [secure]) {
    try {
      const name = sample ? names.secure : names.insecure
      const prefix = `${name}=x; Max-Age=1`
      const header = serializeCookie(name, 'x', { ...cookie, secure: sample, maxAge: 1 })
      attributes[sample ? 'secure' : 'insecure'] = header.slice(prefix.length)
    } catch (error) {
      if (!(error instanceof CookieError)) throw error
      const hint = secure === 'auto' ? ' (with `secure: "auto"`, also over plain HTTP)' : ''
      throw new SessionConfigError(`Invalid \`cookie\` option: ${error.message}${hint}`, {
        cause: error,
      })
    }
  }

  const policy = { idleTimeout, absoluteTimeout, rolling: options.rolling ?? true, touchInterval }
  const ring = [...secrets]
  let keeping: SessionKeeping
  if (store instanceof CookieStore) {
    const sealer = new CookieSealer(ring, cookieName, store.cacheSize, provider)
    keeping = new CookieKeeping(sealer, policy, cookieName)
  } else {
    checkStore(store)
    keeping = new StoreKeeping(store, ring, provider, policy, storeTimeout)
  }
  return {
    secrets: ring,
    keeping,
    cookieName,
    names,
    cookie,
    secure,
    policy,
    browserSession: options.browserSession ?? false,
    crypto: provider,
    cryptoGiven: options.crypto !== undefined,
    attributes,
    checkSize: store instanceof CookieStore ? sizeChecker(cookieName) : undefined,
  }
}

// A secret must be set and at least 32 characters long (Unicode code points, so never less
// than 32 bytes either); the message never echoes it.
function checkSecret(secret: unknown, index: number): void {
  const name = `\`secrets[${index}]\``
  const how =
    'generate one with `openssl rand -base64 32` and pass it, for example, from an environment variable'
  if (secret === undefined || secret === null || secret === '') {
    throw new SessionConfigError(`${name} is unset (an environment variable not set?); ${how}`)
  }
  if (typeof secret !== 'string') throw new SessionConfigError(`${name} must be a string; ${how}`)
  let characters = 0
  for (const _ of secret) characters++
  if (characters < 32) {
    throw new SessionConfigError(`${name} must be at least 32 characters long; ${how}`)
  }
}

function checkStore(store: unknown): asserts store is SessionStore | VersionedSessionStore {
  const candidate = store as Partial<SessionStore & VersionedSessionStore> | null
  if (candidate === null || typeof candidate !== 'object') {
    throw new SessionConfigError('`store` must be a session store object')
  }
  const v2 = ['read', 'write', 'remove'] as const
  const v1 = ['get', 'set', 'delete'] as const
  if (v2.every((method) => typeof candidate[method] === 'function')) return
  for (const method of v1) {
    if (typeof candidate[method] !== 'function') {
      throw new SessionConfigError(
        `\`store\` must implement SessionStore (get, set, delete) or VersionedSessionStore ` +
          `(read, write, remove): \`${method}\` is not a function`,
      )
    }
  }
}

function seconds(name: string, value: unknown, max: number, min = 1): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new SessionConfigError(
      `\`${name}\` must be an integer number of seconds from ${min} to ${Math.floor(max)}`,
    )
  }
  return value
}

// For CookieStore: refuses, at set() time, a change that would make the sealed cookie too big.
// The sealed length is a function of the plaintext length alone, so it is known before sealing.
function sizeChecker(cookieName: string): (state: SessionState) => void {
  // Everything after the body has a fixed width: 8 base-36 digits per time (every time until
  // 2059) and a 32-character id.
  const time = 36 ** 8 - 1
  const tailBytes = serializeRecord('', time, time, time, 'x'.repeat(32)).length
  const sizeFor = (bodyBytes: number) =>
    cookieName.length + 1 + CookieSealer.sealedLength(bodyBytes + tailBytes)
  return (state) => {
    const body = serializeBody(state.data, state.flashOut, state.expiry, state.userId)
    // A UTF-16 code unit takes at most 3 bytes of UTF-8: most sessions fit even so, and need
    // no encoding to prove it.
    if (sizeFor(3 * body.length) <= MAX_COOKIE_SIZE) return
    const size = sizeFor(encoder.encode(body).length)
    if (size > MAX_COOKIE_SIZE) throw new SessionTooLargeError(size, MAX_COOKIE_SIZE)
  }
}
