import { CookieSealer } from './cookie-sealing.ts'
import { readCookie } from './cookie-parse.ts'
import { MAX_COOKIE_AGE, MAX_COOKIE_SIZE, serializeCookie } from './cookie-serialize.ts'
import type { SerializeCookieOptions } from './cookie-serialize.ts'
import { sign, unsign } from './cookie-signing.ts'
import type { Unsigned } from './cookie-signing.ts'
import { CookieStore } from './cookie-store.ts'
import {
  CookieError,
  SessionConfigError,
  SessionStoreError,
  SessionTooLargeError,
} from './errors.ts'
import { MemoryStore } from './memory-store.ts'
import { Session, computeExpiry, isEmpty, sessionState } from './session.ts'
import type { ExpiryPolicy, SessionData, SessionState } from './session.ts'
import { generateSessionId, isSessionId } from './session-id.ts'
import {
  emptyBag,
  parseRecord,
  recordWithBody,
  serializeBody,
  serializeRecord,
} from './session-record.ts'
import type { ExpiryOverride, SessionRecord } from './session-record.ts'
import type { SessionStore } from './session-store.ts'
import { webCrypto } from './session-crypto.ts'
import type { SessionCrypto } from './session-crypto.ts'

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
  /** Where sessions live. Default: a new `MemoryStore()`. */
  store?: SessionStore | CookieStore
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
   * With `rolling`, the least number of seconds between two refreshes of an unchanged session's
   * expiry, which each cost a store write and a `Set-Cookie`. Default: a tenth of `idleTimeout`,
   * at most one day (so one day for the two-week default, 3 minutes for a 30-minute timeout).
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
}

interface ResolvedOptions {
  secrets: readonly string[]
  store: SessionStore | null
  sealer: CookieSealer | null
  cookieName: string
  cookie: SerializeCookieOptions
  secure: boolean | 'auto'
  policy: ExpiryPolicy
  browserSession: boolean
  crypto: SessionCrypto
  /** The serialized attributes after the value and Max-Age, with and without `Secure`. */
  attributes: { secure: string; insecure: string }
  /** With `CookieStore`, the check that refuses at `set()` a session too big for the cookie. */
  checkSize: ((state: SessionState) => void) | undefined
}

// Verified cookie strings, so a browser resending the same cookie costs no HMAC. Only strings
// that passed verification enter; the bound keeps a flood of distinct valid cookies in check.
const VERIFIED_CACHE_SIZE = 10_000

const TWO_WEEKS = 14 * 24 * 60 * 60
const ONE_DAY = 24 * 60 * 60

/**
 * Creates the one object an application configures: it loads sessions from requests and commits
 * them to responses.
 * @param options see `SessionsOptions`; checked here, once
 * @returns a `Sessions` object
 * @throws SessionConfigError naming the option at fault
 * @typeParam Data the shape of the session data
 */
export function createSessions<Data extends object = SessionData>(
  options: SessionsOptions,
): Sessions<Data> {
  return new Sessions<Data>(options)
}

/**
 * Loads and commits sessions for fetch handlers. Build it with `createSessions`.
 * @typeParam Data the shape of the session data
 */
export class Sessions<Data extends object = SessionData> {
  readonly #options: ResolvedOptions
  readonly #loaded = new WeakMap<Request, Promise<Session<Data>>>()
  readonly #verified = new Map<string, Unsigned>()

  /** @param options see `SessionsOptions` */
  constructor(options: SessionsOptions) {
    this.#options = resolveOptions(options)
  }

  /**
   * The session of a request: verifies the cookie and reads the store, once per `Request`
   * object (later calls return the same session). Whatever the client sent, the result is a
   * session: a missing, malformed, forged, expired or unknown cookie gives a fresh, empty one.
   * @param request the incoming request
   * @returns the session
   * @throws SessionStoreError when the store fails
   */
  load(request: Request): Promise<Session<Data>> {
    let session = this.#loaded.get(request)
    if (session === undefined) {
      session = this.#load(request)
      this.#loaded.set(request, session)
    }
    return session
  }

  /**
   * Tells whether `load` was called for this request.
   * @param request the incoming request
   */
  isLoaded(request: Request): boolean {
    return this.#loaded.has(request)
  }

  /**
   * Persists what changed and returns the response with the session's `Set-Cookie`, `Vary:
   * Cookie` and, when a cookie is set, `Cache-Control: private` unless the response has its own.
   * Nothing is persisted for a response with status 500 or more. Immutable responses (such as
   * one returned by `fetch`) are copied first.
   * @param session the session from `load`
   * @param response the handler's response
   * @param options `persist: false` for a response that must not save the session (the answer
   *   of an error handler): only `Vary: Cookie` is added. Default: `true`.
   * @returns the response to send
   * @throws SessionStoreError when the store fails
   * @throws SessionTooLargeError when a `CookieStore` session outgrew the cookie
   */
  async commit(
    session: Session<Data>,
    response: Response,
    options: CommitOptions = {},
  ): Promise<Response> {
    const state = sessionState(session)
    const persist = options.persist !== false && response.status < 500
    const cookie = persist ? await this.#persist(state) : null
    return decorate(response, cookie)
  }

  /**
   * Wraps a fetch handler: the handler loads the session with `sessions.load(request)` when it
   * needs it, and the session is committed after it returns. A handler that never loads the
   * session costs nothing: no cookie check, no store access, no header change. When the handler
   * throws, nothing is persisted and the error propagates.
   * @param handler a fetch handler; extra arguments (env, context) are passed through
   * @returns the wrapped handler
   */
  wrap<Args extends unknown[]>(
    handler: (request: Request, ...rest: Args) => Response | Promise<Response>,
  ): (request: Request, ...rest: Args) => Promise<Response> {
    return async (request, ...rest) => {
      const response = await handler(request, ...rest)
      const loading = this.#loaded.get(request)
      if (loading === undefined) return response
      let session: Session<Data>
      try {
        session = await loading
      } catch {
        // The handler saw the store failure and answered anyway; there is nothing to commit.
        return decorate(response, null)
      }
      return this.commit(session, response)
    }
  }

  async #load(request: Request): Promise<Session<Data>> {
    const options = this.#options
    const secure = options.secure === 'auto' ? request.url.startsWith('https:') : options.secure
    const value = readCookie(request.headers.get('cookie'), options.cookieName)
    if (value !== undefined && value !== '') {
      const found = options.sealer !== null ? await this.#open(value) : await this.#fetch(value)
      const end = found === null ? 0 : this.#end(found.record)
      if (found !== null && end > Date.now()) {
        return new Session<Data>(storedState(options, secure, found, value, end))
      }
    }
    return new Session<Data>(newState(options, secure))
  }

  // A record is alive until the expiry it was stored with, and also no longer than today's
  // timeouts allow: tightening idleTimeout or absoluteTimeout takes effect on existing sessions,
  // and the earlier end is the session's expiry from then on.
  #end(record: SessionRecord): number {
    const { idleTimeout, absoluteTimeout } = this.#options.policy
    const { expiry } = record
    let end = record.expiresAt
    if (expiry?.kind !== 'date') {
      const idle = expiry?.kind === 'idle' ? expiry.seconds : idleTimeout
      end = Math.min(end, record.touchedAt + idle * 1000)
    }
    if (absoluteTimeout !== undefined)
      end = Math.min(end, record.createdAt + absoluteTimeout * 1000)
    return end
  }

  // Server-side store: verify the signed id, then read the record.
  async #fetch(value: string): Promise<Found | null> {
    let unsigned = this.#verified.get(value)
    if (unsigned === undefined) {
      const verified = await unsign(value, this.#options.secrets, this.#options.crypto)
      if (verified === null || !isSessionId(verified.value)) return null
      unsigned = verified
      const cache = this.#verified
      if (cache.size >= VERIFIED_CACHE_SIZE) cache.delete(cache.keys().next().value!)
      cache.set(value, unsigned)
    }
    const id = unsigned.value
    const store = this.#options.store!
    const record = parseRecord(await storeCall('get', () => store.get(id)))
    return record === null ? null : { record, id, stale: unsigned.secretIndex > 0 }
  }

  // CookieStore: the cookie is the record.
  async #open(value: string): Promise<Found | null> {
    const opened = await this.#options.sealer!.open(value)
    if (opened === null) return null
    const record = parseRecord(opened.plaintext)
    if (record === null || !isSessionId(record.id)) return null
    return { record, id: record.id, stale: opened.stale }
  }

  // Applies the lifecycle rules; returns the Set-Cookie value to send, if any.
  async #persist(state: SessionState): Promise<string | null> {
    const options = this.#options
    const store = options.store
    const empty = isEmpty(state.data) && state.flashOut === undefined
    // Read once, before any await: a regenerate() or destroy() called while this commit is in
    // flight belongs to the next commit, not to this one.
    const { storedId, dropStored, expiry } = state

    if (empty) {
      if (storedId !== null && store !== null) {
        await storeCall('delete', () => store.delete(storedId))
      }
      // Rule 5: an emptied or destroyed session's cookie is expired; one never stored has none.
      const cookie = storedId !== null ? this.#expiredCookie(state) : null
      Object.assign(state, {
        storedId: null,
        storedBody: null,
        storedTail: null,
        cookieValue: null,
        dropStored: false,
      })
      return cookie
    }

    const now = Date.now()
    const body = serializeBody(state.data, state.flashOut, expiry)
    const moved = storedId === null || dropStored
    const changed = moved || body !== state.storedBody
    // Rule 4: the expiry (in the store and in the cookie's Max-Age) advances in steps of at
    // least touchInterval, on activity when rolling, on changes otherwise; so a busy session
    // costs one expiry refresh per interval, not one per request.
    const due = now - state.touchedAt >= options.policy.touchInterval * 1000
    const overridden = !sameExpiry(expiry, state.storedExpiry)
    const refresh =
      moved || overridden || (due && (changed || options.policy.rolling) && expiry?.kind !== 'date')
    if (!changed && !refresh && !state.stale) return null

    const previousExpiry = state.expiresAt
    if (refresh) {
      state.touchedAt = now
      state.expiresAt = computeExpiry(state, now)
    }
    const id = (state.id ??= generateSessionId())
    // Between refreshes the times, and the id a sealed record carries, are those stored.
    const tail = refresh ? null : state.storedTail
    const record =
      tail !== null
        ? recordWithBody(body, tail)
        : serializeRecord(
            body,
            state.createdAt,
            state.touchedAt,
            state.expiresAt,
            store === null ? id : undefined,
          )
    let value: string
    if (store !== null) {
      if (changed || refresh) {
        await storeCall('set', () => store.set(id, record, state.expiresAt))
      }
      // Only once the data is safe under its new id does the old id go (rule 5): a failed
      // write leaves the browser with its old, still working session.
      if (storedId !== null && dropStored) {
        await storeCall('delete', () => store.delete(storedId))
      }
      value = await this.#signedId(state, id)
    } else {
      value = await this.#seal(record)
    }
    // Never re-send a cookie that would carry the same value and the same lifetime.
    const persistent = !options.browserSession && expiry?.kind !== 'browser'
    const sameLifetime = !overridden && (!persistent || state.expiresAt === previousExpiry)
    const send = value !== state.cookieValue || !sameLifetime
    // The session now matches what was stored and sent, so committing it again is a no-op.
    state.storedId = id
    state.storedBody = body
    state.storedTail = tail ?? record.slice(body.length)
    state.storedExpiry = expiry
    state.cookieValue = value
    state.stale = false
    state.dropStored = state.dropStored && state.id !== id
    return send ? this.#cookie(state, value, persistent) : null
  }

  // The request's own cookie value while the id is unchanged and signed with the current
  // secret, so that an id is never signed twice.
  #signedId(state: SessionState, id: string): Promise<string> | string {
    if (state.cookieValue !== null && !state.stale && id === state.storedId && !state.dropStored) {
      return state.cookieValue
    }
    return sign(id, this.#options.secrets[0]!, this.#options.crypto)
  }

  async #seal(record: string): Promise<string> {
    const options = this.#options
    const value = await options.sealer!.seal(record)
    const size = options.cookieName.length + 1 + value.length
    if (size > MAX_COOKIE_SIZE) throw new SessionTooLargeError(size, MAX_COOKIE_SIZE)
    return value
  }

  // The cookie's attributes never change, so they were serialized (and checked) once; only the
  // value and Max-Age, which serializeCookie writes first, are added here. Values are signed ids
  // or sealed records: base64url and dots, always valid cookie-octets.
  #cookie(state: SessionState, value: string, persistent: boolean): string {
    const options = this.#options
    let header = options.cookieName + '=' + value
    if (persistent) {
      const seconds = Math.ceil((state.expiresAt - Date.now()) / 1000)
      header += '; Max-Age=' + Math.min(MAX_COOKIE_AGE, Math.max(1, seconds))
    }
    return header + (state.secure ? options.attributes.secure : options.attributes.insecure)
  }

  #expiredCookie(state: SessionState): string {
    const options = this.#options
    return serializeCookie(options.cookieName, '', {
      ...options.cookie,
      secure: state.secure,
      maxAge: 0,
      expires: new Date(0),
    })
  }
}

interface Found {
  record: SessionRecord
  id: string
  stale: boolean
}

function newState(options: ResolvedOptions, secure: boolean): SessionState {
  const now = Date.now()
  return {
    id: null,
    isNew: true,
    data: emptyBag(),
    flashIn: undefined,
    flashOut: undefined,
    expiry: undefined,
    storedExpiry: undefined,
    createdAt: now,
    touchedAt: now,
    expiresAt: now,
    storedId: null,
    storedBody: null,
    storedTail: null,
    cookieValue: null,
    stale: false,
    dropStored: false,
    secure,
    policy: options.policy,
    checkSize: options.checkSize,
  }
}

// The same fields in the same order as newState's, so both give V8 one object shape.
function storedState(
  options: ResolvedOptions,
  secure: boolean,
  found: Found,
  cookieValue: string,
  expiresAt: number,
): SessionState {
  const { record, id } = found
  return {
    id,
    isNew: false,
    data: record.data,
    flashIn: record.flash,
    flashOut: undefined,
    expiry: record.expiry,
    storedExpiry: record.expiry,
    createdAt: record.createdAt,
    touchedAt: record.touchedAt,
    expiresAt,
    storedId: id,
    storedBody: record.body,
    storedTail: record.tail,
    cookieValue,
    stale: found.stale,
    dropStored: false,
    secure,
    policy: options.policy,
    checkSize: options.checkSize,
  }
}

// For CookieStore: refuses, at set() time, a change that would make the sealed cookie too big.
// The sealed length is a function of the plaintext length alone, so it is known before sealing.
const encoder = new TextEncoder()

function sizeChecker(cookieName: string): (state: SessionState) => void {
  // Everything after the body has a fixed width: 8 base-36 digits per time (every time until
  // 2059) and a 32-character id.
  const time = 36 ** 8 - 1
  const tailBytes = serializeRecord('', time, time, time, 'x'.repeat(32)).length
  const sizeFor = (bodyBytes: number) =>
    cookieName.length + 1 + CookieSealer.sealedLength(bodyBytes + tailBytes)
  return (state) => {
    const body = serializeBody(state.data, state.flashOut, state.expiry)
    // A UTF-16 code unit takes at most 3 bytes of UTF-8: most sessions fit even so, and need
    // no encoding to prove it.
    if (sizeFor(3 * body.length) <= MAX_COOKIE_SIZE) return
    const size = sizeFor(encoder.encode(body).length)
    if (size > MAX_COOKIE_SIZE) throw new SessionTooLargeError(size, MAX_COOKIE_SIZE)
  }
}

function sameExpiry(a: ExpiryOverride | undefined, b: ExpiryOverride | undefined): boolean {
  if (a === undefined || b === undefined) return a === b
  if (a.kind === 'idle') return b.kind === 'idle' && a.seconds === b.seconds
  if (a.kind === 'date') return b.kind === 'date' && a.at === b.at
  return b.kind === 'browser'
}

async function storeCall<T>(
  operation: 'get' | 'set' | 'delete',
  call: () => Promise<T>,
): Promise<T> {
  try {
    return await call()
  } catch (error) {
    throw new SessionStoreError(operation, error)
  }
}

// Adds the session headers, copying the response first when its headers are immutable (a
// response from fetch(), or Response.redirect()).
function decorate(response: Response, cookie: string | null): Response {
  try {
    addHeaders(response.headers, cookie)
    return response
  } catch (error) {
    if (!(error instanceof TypeError)) throw error
    const copy = new Response(response.body, response)
    addHeaders(copy.headers, cookie)
    return copy
  }
}

function addHeaders(headers: Headers, cookie: string | null): void {
  // Rule 7: whatever this response says depends on the session cookie, so shared caches must
  // not serve it to another browser (RFC 9111 4.1).
  const vary = headers.get('vary')
  if (vary === null) headers.set('vary', 'Cookie')
  else if (!/(?:^|,)\s*(?:cookie|\*)\s*(?:,|$)/i.test(vary)) headers.set('vary', vary + ', Cookie')
  if (cookie === null) return
  headers.append('set-cookie', cookie)
  if (!headers.has('cache-control')) headers.set('cache-control', 'private')
}

function resolveOptions(options: SessionsOptions): ResolvedOptions {
  if (options === null || typeof options !== 'object') {
    throw new SessionConfigError('createSessions() needs an options object with at least `secrets`')
  }
  const secrets = typeof options.secrets === 'string' ? [options.secrets] : options.secrets
  if (!Array.isArray(secrets) || secrets.length === 0) {
    throw new SessionConfigError('`secrets` must be a string or a non-empty array of strings')
  }
  secrets.forEach((secret: unknown, index: number) => {
    if (typeof secret !== 'string' || secret.length < 32) {
      throw new SessionConfigError(
        `\`secrets[${index}]\` must be a string of at least 32 characters; ` +
          'generate one with `openssl rand -base64 32`',
      )
    }
  })

  const provider = options.crypto ?? webCrypto
  for (const method of ['sign', 'verify', 'encrypt', 'decrypt'] as const) {
    if (typeof provider?.[method] !== 'function') {
      throw new SessionConfigError(
        `\`crypto\` must implement SessionCrypto: \`${method}\` is missing`,
      )
    }
  }
  const store = options.store ?? new MemoryStore()
  let sealer: CookieSealer | null = null
  let serverStore: SessionStore | null = null
  const cookieName = options.cookie?.name ?? 'session'
  if (store instanceof CookieStore) {
    sealer = new CookieSealer(secrets, cookieName, store.cacheSize, provider)
  } else {
    for (const method of ['get', 'set', 'delete'] as const) {
      if (typeof (store as Partial<SessionStore>)?.[method] !== 'function') {
        throw new SessionConfigError(
          `\`store\` must implement SessionStore: \`${method}\` is not a function`,
        )
      }
    }
    serverStore = store
  }

  const idleTimeout = seconds('idleTimeout', options.idleTimeout ?? TWO_WEEKS, MAX_COOKIE_AGE)
  const absoluteTimeout =
    options.absoluteTimeout === undefined
      ? undefined
      : seconds('absoluteTimeout', options.absoluteTimeout, Number.MAX_SAFE_INTEGER / 1000)
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
  const attributes = { secure: '', insecure: '' }
  for (const sample of secure === 'auto' ? [true, false] : [secure]) {
    try {
      const prefix = `${cookieName}=x; Max-Age=1`
      const header = serializeCookie(cookieName, 'x', { ...cookie, secure: sample, maxAge: 1 })
      attributes[sample ? 'secure' : 'insecure'] = header.slice(prefix.length)
    } catch (error) {
      if (!(error instanceof CookieError)) throw error
      const hint = secure === 'auto' ? ' (with `secure: "auto"`, also over plain HTTP)' : ''
      throw new SessionConfigError(`Invalid \`cookie\` option: ${error.message}${hint}`, {
        cause: error,
      })
    }
  }

  return {
    secrets: [...secrets],
    store: serverStore,
    sealer,
    cookieName,
    cookie,
    secure,
    policy: { idleTimeout, absoluteTimeout, rolling: options.rolling ?? true, touchInterval },
    browserSession: options.browserSession ?? false,
    crypto: provider,
    attributes,
    checkSize: sealer !== null ? sizeChecker(cookieName) : undefined,
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
