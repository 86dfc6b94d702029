import type { PlanContext } from './commit-plan.ts'
import { readCookie } from './cookie-parse.ts'
import { MAX_COOKIE_AGE, serializeCookie } from './cookie-serialize.ts'
import { SessionConfigError, SessionDataError, SessionTooLargeError } from './errors.ts'
import { finishOnNodeResponse } from './finish-on-node-response.ts'
import { nodeResponse } from './node-response.ts'
import { Session, sessionState } from './session.ts'
import type { AnySession, SessionData, SessionState } from './session.ts'
import { sessionHandle } from './session-handle.ts'
import { NO_SESSION_HEADERS, withSessionHeaders } from './session-headers.ts'
import type { SessionHeaders } from './session-headers.ts'
import { generateSessionId } from './session-id.ts'
import type { FoundSession, SessionKeeping } from './session-keeping.ts'
import type { SessionCrypto } from './session-crypto.ts'
import { emptyBag } from './session-record.ts'
import { resolveOptions } from './sessions-options.ts'
import type { ResolvedOptions, SessionsOptions } from './sessions-options.ts'

/** Options of `sessions.commit()` and `sessions.commitHeaders()`. */
export interface CommitOptions {
  /**
   * Whether to save the session. `false` only adds `Vary: Cookie`, for a response that answers
   * a failure (a thrown handler's error page). Default: `true`; responses with status 500 or
   * more never save.
   */
  persist?: boolean
}

/**
 * One live session of a user, as `sessions.listSessions()` gives it, for a "your devices" page.
 * @typeParam Data the shape of the session data
 */
export interface SessionInfo<Data extends object = SessionData> {
  /** Names the session for `sessions.endSession()`; safe to show, it is not the id. */
  handle: string
  createdAt: Date
  /**
   * The last time the session's expiry was extended: its last change, or its last request once
   * `touchInterval` had passed since the one before.
   */
  lastActiveAt: Date
  expiresAt: Date
  /** The session's data (an app that wants a device's name stores it there at login). */
  data: Partial<Data>
}

/** Options of `sessions.endSessions()`. */
export interface EndSessionsOptions {
  /** A session to leave alone, typically the current one ("sign out everywhere else"). */
  except?: AnySession
}

/**
 * Creates the one object an application configures: it loads sessions from requests and commits
 * them to responses.
 * @param options see `SessionsOptions`; checked here, once
 * @returns a `Sessions` object
 * @throws SessionConfigError naming the option at fault
 * @typeParam Data the shape of the session data
 * @typeParam Flash the shape of the flash values; default: the same as `Data`
 */
export function createSessions<Data extends object = SessionData, Flash extends object = Data>(
  options: SessionsOptions,
): Sessions<Data, Flash> {
  return new Sessions<Data, Flash>(options)
}

/**
 * Loads and commits sessions for fetch handlers. Build it with `createSessions`.
 * @typeParam Data the shape of the session data
 * @typeParam Flash the shape of the flash values; default: the same as `Data`
 */
export class Sessions<Data extends object = SessionData, Flash extends object = Data> {
  readonly #options: ResolvedOptions
  readonly #keeping: SessionKeeping
  readonly #context: PlanContext
  /**
   * Where a request keeps the loading of its session: a property under a symbol of this object
   * (a `WeakMap` entry per request cost several times as much to make and to collect), or, for a
   * request that takes no new property (frozen), `#frozen`.
   */
  readonly #key = Symbol('fetch-session')
  #frozen: WeakMap<Request, Promise<Session<Data, Flash>>> | undefined

  /** @param options see `SessionsOptions` */
  constructor(options: SessionsOptions) {
    const resolved = resolveOptions(options)
    this.#options = resolved
    this.#keeping = resolved.keeping
    this.#context = {
      policy: resolved.policy,
      sealed: resolved.keeping.sealed,
      browserSession: resolved.browserSession,
      newId: generateSessionId,
    }
  }

  /**
   * The session of a request: verifies the cookie and reads the store, once per `Request`
   * object (later calls return the same session). Whatever the client sent, the result is a
   * session: a missing, malformed, forged, expired or unknown cookie gives a fresh, empty one.
   * @param request the incoming request
   * @returns the session
   * @throws SessionStoreError when the store fails
   */
  load(request: Request): Promise<Session<Data, Flash>> {
    let session = this.#loading(request)
    if (session === undefined) {
      session = this.#load(request)
      if (Object.isExtensible(request)) {
        ;(request as unknown as Record<symbol, Promise<Session<Data, Flash>>>)[this.#key] = session
      } else {
        ;(this.#frozen ??= new WeakMap()).set(request, session)
      }
    }
    return session
  }

  // The loading of a request's session, if `load` was called for it.
  #loading(request: Request): Promise<Session<Data, Flash>> | undefined {
    const session = (
      request as unknown as Record<symbol, Promise<Session<Data, Flash>> | undefined>
    )[this.#key]
    return session ?? this.#frozen?.get(request)
  }

  /**
   * Hands the core a faster implementation of its cryptographic primitives, used only when
   * `createSessions` was given no `crypto`: so an adapter for a runtime with fast native crypto
   * (`@fetch-session/node` with `nodeCrypto`) speeds up applications that did not ask for it.
   * The implementation must give byte-identical results, so cookies stay valid across the switch.
   * @param provider the implementation
   * @returns whether it is now used
   * @throws SessionConfigError when it lacks a method
   */
  preferCrypto(provider: SessionCrypto): boolean {
    if (this.#options.cryptoGiven) return false
    for (const method of ['sign', 'verify', 'encrypt', 'decrypt'] as const) {
      if (typeof provider?.[method] !== 'function') {
        throw new SessionConfigError(
          `preferCrypto() needs a SessionCrypto: \`${method}\` is missing`,
        )
      }
    }
    this.#keeping.useCrypto(provider)
    return true
  }

  /**
   * Tells whether `load` was called for this request.
   * @param request the incoming request
   */
  isLoaded(request: Request): boolean {
    return this.#loading(request) !== undefined
  }

  /**
   * Persists what changed and returns the response with the session's `Set-Cookie`, `Vary:
   * Cookie` and, when a cookie is set, a `Cache-Control` that keeps it from shared caches.
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
    session: Session<Data, Flash>,
    response: Response,
    options: CommitOptions = {},
  ): Promise<Response> {
    return withSessionHeaders(response, await this.commitHeaders(session, response.status, options))
  }

  /**
   * Persists what changed, like `commit()`, and says which headers the response needs, without
   * touching a response: for adapters that write headers their own, cheaper way.
   * @param session the session from `load`
   * @param status the response's status; 500 or more persists nothing
   * @param options see `CommitOptions`
   * @returns the header changes, to apply with `applySessionHeaders()` or by hand
   * @throws SessionStoreError when the store fails
   * @throws SessionTooLargeError when a `CookieStore` session outgrew the cookie
   */
  async commitHeaders(
    session: Session<Data, Flash>,
    status: number,
    options: CommitOptions = {},
  ): Promise<SessionHeaders> {
    if (options.persist === false || !(status < 500)) return VARY_ONLY
    const state = sessionState(session)
    const saved = await this.#keeping.save(state, this.#context)
    if (saved.cookie === null) return VARY_ONLY
    const setCookie =
      saved.cookie === 'set' ? this.#cookie(state, saved.value) : this.#expiredCookie(state)
    return { setCookie, vary: true, private: true }
  }

  /**
   * The one way to end a request, for `wrap()` and the adapters: commits the session if the
   * request loaded it and says which headers the response needs.
   * - never loaded: nothing, not even `Vary` (a handler that ignores sessions costs nothing);
   * - loading failed (the store was down) and the handler answered anyway: `Vary: Cookie` only;
   * - loaded: `commitHeaders()`.
   * @param request the request, as given to `load`
   * @param status the response's status
   * @param options see `CommitOptions`
   * @returns the header changes
   * @throws SessionStoreError when the store fails
   */
  finish(request: Request, status: number, options: CommitOptions = {}): Promise<SessionHeaders> {
    const loading = this.#loading(request)
    if (loading === undefined) return Promise.resolve(NO_SESSION_HEADERS)
    // One promise from the loaded session to the headers, where an async function awaiting the
    // load and then the commit took two more turns of the microtask queue.
    return loading.then(
      (session) => this.commitHeaders(session, status, options),
      () => VARY_ONLY,
    )
  }

  /**
   * Wraps a fetch handler: the handler loads the session with `sessions.load(request)` when it
   * needs it, and the session is committed after it returns. A handler that never loads the
   * session costs nothing: no cookie check, no store access, no header change. When the handler
   * throws, nothing is persisted and the error propagates. A `CookieStore` session that an
   * in-place change made too large for its cookie gives a plain-text 500 that says so, instead
   * of the handler's response; a failing store rejects with `SessionStoreError`.
   *
   * Served on Node (`@fetch-session/node`'s `serve()` or `createListener()`, or
   * `@hono/node-server`), where the bindings after the request hold the `ServerResponse` as
   * `outgoing`, the session's headers are written with the response head on it, which costs less
   * than changing the `Response`'s headers; everywhere else they are set on the `Response`.
   * @param handler a fetch handler; extra arguments (env, context) are passed through
   * @returns the wrapped handler
   */
  wrap<Args extends unknown[]>(
    handler: (request: Request, ...rest: Args) => Response | Promise<Response>,
  ): (request: Request, ...rest: Args) => Promise<Response> {
    return async (request, ...rest) => {
      const response = await handler(request, ...rest)
      if (this.#loading(request) === undefined) return response
      const status = response.status
      const outgoing = nodeResponse(rest[0])
      let changes: SessionHeaders | undefined
      try {
        if (outgoing === undefined) changes = await this.finish(request, status)
        else await finishOnNodeResponse(outgoing, () => this.finish(request, status))
      } catch (error) {
        // A CookieStore session that outgrew its cookie through an in-place change, found only
        // now: the handler's response cannot carry it, so the client is told why.
        if (!(error instanceof SessionTooLargeError)) throw error
        return withSessionHeaders(tooLarge(), VARY_ONLY)
      }
      return changes === undefined ? response : withSessionHeaders(response, changes)
    }
  }

  /**
   * Every live session of a user (bound with `session.login()`), most recently active first.
   * @param userId the user
   * @returns one `SessionInfo` per session; `[]` for a user with none
   * @throws SessionConfigError when the store keeps no user index (CookieStore, KVStore, a
   *   version 1 store)
   * @throws SessionDataError when `userId` is not a non-empty string
   * @throws SessionStoreError when the store fails
   */
  async listSessions(userId: string): Promise<SessionInfo<Data>[]> {
    const found = await this.#userSessions(userId, 'listSessions')
    return found
      .map((session) => ({
        handle: sessionHandle(session.id),
        createdAt: new Date(session.record.createdAt),
        lastActiveAt: new Date(session.record.activeAt),
        expiresAt: new Date(session.end),
        // Parsed for this call alone, and prototype-less like a session's data.
        data: session.record.data as Partial<Data>,
      }))
      .sort((a, b) => b.lastActiveAt.getTime() - a.lastActiveAt.getTime())
  }

  /**
   * Ends every session of a user, except `options.except`: "sign out everywhere (else)". A
   * browser holding an ended session gets a fresh one on its next request, and a request in
   * flight cannot bring it back.
   * @param userId the user
   * @param options see `EndSessionsOptions`
   * @returns how many sessions were ended
   * @throws SessionConfigError when the store keeps no user index
   * @throws SessionDataError when `userId` is not a non-empty string
   * @throws SessionStoreError when the store fails
   */
  async endSessions(userId: string, options: EndSessionsOptions = {}): Promise<number> {
    const found = await this.#userSessions(userId, 'endSessions')
    const except = options.except === undefined ? null : sessionState(options.except)
    const spared = new Set([except?.storedId, except?.id])
    const end = this.#keeping.end!
    const ids = found.map((session) => session.id).filter((id) => !spared.has(id))
    let ended = 0
    let next = 0
    const ending = async () => {
      while (next < ids.length) if (await end(ids[next++]!)) ended++
    }
    await Promise.all(Array.from({ length: Math.min(PARALLEL_ENDS, ids.length) }, ending))
    return ended
  }

  /**
   * Ends one session of a user, named by its handle (from `listSessions()` or `session.handle`).
   * @param userId the user
   * @param handle the session's handle
   * @returns whether such a session existed
   * @throws SessionConfigError when the store keeps no user index
   * @throws SessionDataError when `userId` is not a non-empty string
   * @throws SessionStoreError when the store fails
   */
  async endSession(userId: string, handle: string): Promise<boolean> {
    const found = await this.#userSessions(userId, 'endSession')
    const session = found.find((candidate) => sessionHandle(candidate.id) === handle)
    return session === undefined ? false : this.#keeping.end!(session.id)
  }

  async #userSessions(userId: string, call: string): Promise<FoundSession[]> {
    const list = this.#keeping.listUser
    if (list === undefined) {
      throw new SessionConfigError(
        `sessions.${call}() needs a store that indexes sessions by user: MemoryStore, FileStore ` +
          '(@fetch-session/node), RedisStore (@fetch-session/redis), PostgresStore ' +
          '(@fetch-session/postgres) or DurableObjectStore (@fetch-session/cloudflare-do); ' +
          'CookieStore, KVStore and version 1 stores cannot',
      )
    }
    if (typeof userId !== 'string' || userId === '') {
      throw new SessionDataError(`sessions.${call}() needs the user id as a non-empty string`)
    }
    return list(userId)
  }

  async #load(request: Request): Promise<Session<Data, Flash>> {
    const options = this.#options
    const secure = options.secure === 'auto' ? request.url.startsWith('https:') : options.secure
    const name = secure ? options.names.secure : options.names.insecure
    const value = readCookie(request.headers.get('cookie'), name)
    if (value !== undefined && value !== '') {
      const found = await this.#keeping.find(value)
      if (found !== null)
        return new Session<Data, Flash>(storedState(options, secure, found, value))
    }
    return new Session<Data, Flash>(newState(options, secure))
  }

  // The cookie's attributes never change, so they were serialized (and checked) once; only the
  // value and Max-Age, which serializeCookie writes first, are added here. Values are signed ids
  // or sealed records: base64url and dots, always valid cookie-octets.
  #cookie(state: SessionState, value: string): string {
    const options = this.#options
    let header = (state.secure ? options.names.secure : options.names.insecure) + '=' + value
    if (!options.browserSession && state.expiry?.kind !== 'browser') {
      const seconds = Math.ceil((state.expiresAt - Date.now()) / 1000)
      header += '; Max-Age=' + Math.min(MAX_COOKIE_AGE, Math.max(1, seconds))
    }
    return header + (state.secure ? options.attributes.secure : options.attributes.insecure)
  }

  #expiredCookie(state: SessionState): string {
    const options = this.#options
    return serializeCookie(state.secure ? options.names.secure : options.names.insecure, '', {
      ...options.cookie,
      secure: state.secure,
      maxAge: 0,
      expires: new Date(0),
    })
  }
}

function tooLarge(): Response {
  const text =
    'Internal Server Error: the session is too large for its cookie (SessionTooLargeError); ' +
    'nothing was saved'
  return new Response(text, {
    status: 500,
    headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' },
  })
}

// How many sessions `endSessions()` removes at once: a user with thousands of them must not
// take as many connections or open files of the store at the same moment.
const PARALLEL_ENDS = 16

// A loaded session whose commit sends no cookie: the response still depends on the cookie.
const VARY_ONLY: SessionHeaders = { setCookie: null, vary: true, private: false }

function newState(options: ResolvedOptions, secure: boolean): SessionState {
  const now = Date.now()
  return {
    status: 'new',
    id: null,
    isNew: true,
    data: emptyBag(),
    flashIn: undefined,
    flashOut: undefined,
    expiry: undefined,
    storedExpiry: undefined,
    userId: null,
    createdAt: now,
    touchedAt: now,
    expiresAt: now,
    activeAt: now,
    storedId: null,
    version: undefined,
    storedBody: null,
    storedTail: null,
    changes: [],
    cookieValue: null,
    stale: false,
    secure,
    policy: options.policy,
    checkSize: options.checkSize,
  }
}

// The same fields in the same order as newState's, so both give V8 one object shape.
function storedState(
  options: ResolvedOptions,
  secure: boolean,
  found: FoundSession,
  cookieValue: string,
): SessionState {
  const { record, id } = found
  return {
    status: 'stored',
    id,
    isNew: false,
    data: record.data,
    flashIn: record.flash,
    flashOut: undefined,
    expiry: record.expiry,
    storedExpiry: record.expiry,
    userId: record.userId,
    createdAt: record.createdAt,
    touchedAt: record.touchedAt,
    expiresAt: found.end,
    activeAt: record.activeAt,
    storedId: id,
    version: found.version,
    storedBody: record.body,
    storedTail: record.tail,
    changes: [],
    cookieValue,
    stale: found.stale,
    secure,
    policy: options.policy,
    checkSize: options.checkSize,
  }
}
