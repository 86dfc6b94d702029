import { SessionDataError } from './errors.ts'
import { assertJsonValue } from './json-value.ts'
import { sessionHandle } from './session-handle.ts'
import { generateSessionId } from './session-id.ts'
import { emptyBag } from './session-record.ts'
import type { Bag, ExpiryOverride } from './session-record.ts'
import type { SessionVersion } from './session-store.ts'

/** The default shape of session data: any JSON-compatible values under string keys. */
export type SessionData = Record<string, unknown>

/**
 * What `session.get(key)` returns: the data's value under `key`, or the flash value the previous
 * request left under it, or `undefined`.
 */
export type SessionValue<Data extends object, Flash extends object, K extends PropertyKey> =
  (K extends keyof Data ? Data[K] : never) | (K extends keyof Flash ? Flash[K] : never) | undefined

/** What `session.setExpiry()` takes. */
export type SessionExpiry = number | Date | null

/**
 * Where a session stands with its store, which decides what a commit does:
 * - `new`: nothing stored yet (a commit with content creates it under a new id);
 * - `stored`: loaded from the store under `storedId`, changed in place at commit;
 * - `moved`: `regenerate()` or `login()` was called: the record goes to a new id, the old one is
 *   removed with the same compare-and-set;
 * - `ended`: `destroy()` was called: the stored record is removed whatever it holds now; values
 *   set afterwards start a new session.
 */
export type SessionStatus = 'new' | 'stored' | 'moved' | 'ended'

/**
 * One change an application made, kept until the commit so that it can be replayed on a fresher
 * record when another request changed the session meanwhile.
 */
export type SessionChange =
  | { readonly kind: 'set'; readonly key: string; readonly value: unknown }
  | { readonly kind: 'delete'; readonly key: string }
  | { readonly kind: 'update'; readonly key: string; readonly fn: (value: any) => unknown }
  | { readonly kind: 'clear' }

/** The mutable state of one session, shared with `Sessions` and invisible to applications. */
export interface SessionState {
  status: SessionStatus
  /** `null` until something needs it: a session that is never written never draws an id. */
  id: string | null
  isNew: boolean
  data: Bag
  /** Flash values set by the previous request: readable now, gone after this request. */
  flashIn: Bag | undefined
  /** Flash values set by this request, for the next one. */
  flashOut: Bag | undefined
  expiry: ExpiryOverride | undefined
  /** The override as stored, to tell whether `setExpiry()` changed it. */
  storedExpiry: ExpiryOverride | undefined
  /** The user bound by `login()`, or `null`. */
  userId: string | null
  createdAt: number
  /** When the cookie's lifetime was last refreshed: at most once per touchInterval. */
  touchedAt: number
  /** When the session ends on the server, moved by every change and refresh. */
  expiresAt: number
  /** The last change or refresh: what `lastActiveAt` of `sessions.listSessions()` gives. */
  activeAt: number
  /** The id the store knows this session under; `null` for a session not yet stored. */
  storedId: string | null
  /** The version of the stored record, for compare-and-set. */
  version: SessionVersion | undefined
  /** The body read from the store, to tell whether anything changed. */
  storedBody: string | null
  /** The stored record's times, from its "|": the record is `storedBody + storedTail`. */
  storedTail: string | null
  /** This request's changes since the record was read, in order, for replay on a conflict. */
  changes: SessionChange[]
  /** The cookie value the request carried, reusable as long as the id does not change. */
  cookieValue: string | null
  /** The cookie was signed with an older secret: re-issue it under the current one. */
  stale: boolean
  /** Whether the cookie gets the Secure attribute (resolved from `cookie.secure`). */
  secure: boolean
  /** Expiry rules of the `Sessions` object, to answer `expiresAt`. */
  policy: ExpiryPolicy
  /** Checks a pending change against the store's size limit; throws to refuse it. */
  checkSize: ((state: SessionState) => void) | undefined
}

/** The expiry rules a session needs to compute its own expiry. */
export interface ExpiryPolicy {
  /** Seconds. */
  idleTimeout: number
  /** Seconds, or `undefined` for none. */
  absoluteTimeout: number | undefined
  rolling: boolean
  touchInterval: number
}

/** A session of any data type (the type parameters are used both ways, so no `object` fits all). */
export type AnySession = Session<any, any>

let stateOf: (session: AnySession) => SessionState

/**
 * Reaches the internal state of a session; for the package's own modules, not exported from
 * the entry point.
 */
export function sessionState(session: AnySession): SessionState {
  return stateOf(session)
}

// 400 days: browsers cap cookie lifetimes there, so a longer expiry could never be honoured.
const MAX_EXPIRY_SECONDS = 400 * 24 * 60 * 60

/**
 * The session of one request, loaded by `sessions.load(request)`. Changes are persisted by
 * `sessions.commit()` (which `sessions.wrap()` calls for you).
 * @typeParam Data the shape of the data kept in the session
 * @typeParam Flash the shape of the flash values (`flash()`), read with `get()` on the next
 *   request; default: the same as `Data`
 */
export class Session<Data extends object = SessionData, Flash extends object = Data> {
  readonly #state: SessionState

  static {
    stateOf = (session) => session.#state
  }

  /** @internal Sessions are made by `sessions.load()`. */
  constructor(state: SessionState) {
    this.#state = state
  }

  /**
   * The session id. A new session draws its id the first time it is asked for; `regenerate()`
   * and `destroy()` change it. Treat it as a secret: it is as good as the cookie.
   */
  get id(): string {
    return (this.#state.id ??= generateSessionId())
  }

  /** True when the request carried no valid session: nothing was found in the store. */
  get isNew(): boolean {
    return this.#state.isNew
  }

  /** The user this session is bound to by `login()`, or `null`. */
  get userId(): string | null {
    return this.#state.userId
  }

  /**
   * A name for this session that is safe to show and to send to the browser, for listing and
   * ending sessions (`sessions.listSessions()`, `sessions.endSession()`). It is not the id and
   * the id cannot be found from it; it stays the same for as long as the id does.
   */
  get handle(): string {
    return sessionHandle(this.id)
  }

  /**
   * When this session expires: for a stored session, the expiry it was stored with (activity
   * may extend it at commit); for a new one, the expiry it would get if committed now. `null`
   * while the session is empty, since an empty session is not kept.
   */
  get expiresAt(): Date | null {
    const state = this.#state
    if (isBlank(state)) return null
    if (state.status === 'stored') return new Date(state.expiresAt)
    return new Date(computeExpiry(state, Date.now()))
  }

  /**
   * Reads a value; a flash value set by the previous request wins over data under the same key.
   * @param key the key
   * @returns the value, or `undefined` when absent. Objects are live: mutating them is saved.
   */
  get<K extends (keyof Data | keyof Flash) & string>(key: K): SessionValue<Data, Flash, K> {
    const { flashIn, data } = this.#state
    if (flashIn !== undefined && Object.hasOwn(flashIn, key)) {
      return flashIn[key] as SessionValue<Data, Flash, K>
    }
    return (Object.hasOwn(data, key) ? data[key] : undefined) as SessionValue<Data, Flash, K>
  }

  /**
   * Stores a value; the first write to a new session creates it.
   * @param key the key
   * @param value a JSON-compatible value (checked here, see rule 8 of the lifecycle)
   * @throws SessionDataError when the value would not survive JSON
   * @throws SessionTooLargeError when a cookie-stored session would outgrow the cookie
   */
  set<K extends keyof Data & string>(key: K, value: Data[K]): void {
    assertJsonValue(value, key)
    const state = this.#state
    this.#write(state.data, key, value)
    state.changes.push({ kind: 'set', key, value })
    // What was just set is what `get` must return, not a flash value read under the same key.
    if (state.flashIn !== undefined) delete state.flashIn[key]
  }

  /**
   * Changes one value from what it is now: `session.update('count', (n = 0) => n + 1)`. The new
   * value is set at once; and when another request changed the session since this one loaded
   * it, `fn` runs again at commit on the freshest stored value, so parallel requests of one
   * browser all count. Use it for counters and carts; `fn` should only compute, since it may run
   * more than once.
   * @param key the key
   * @param fn gets the current value (`undefined` when absent) and returns the new one, a
   *   JSON-compatible value
   * @throws SessionDataError when the new value would not survive JSON
   */
  update<K extends keyof Data & string>(
    key: K,
    fn: (current: Data[K] | undefined) => Data[K],
  ): void {
    if (typeof fn !== 'function') {
      throw new SessionDataError(`session.update(${JSON.stringify(key)}) needs a function`)
    }
    const state = this.#state
    const current = Object.hasOwn(state.data, key) ? (state.data[key] as Data[K]) : undefined
    const value = fn(current)
    assertJsonValue(value, key)
    this.#write(state.data, key, value)
    state.changes.push({ kind: 'update', key, fn })
    if (state.flashIn !== undefined) delete state.flashIn[key]
  }

  /**
   * Tells whether a key holds a value, in the data or in this request's flash.
   * @param key the key
   */
  has(key: (keyof Data | keyof Flash) & string): boolean {
    const { flashIn, data } = this.#state
    return Object.hasOwn(data, key) || (flashIn !== undefined && Object.hasOwn(flashIn, key))
  }

  /**
   * Removes a key from the data and from this request's flash.
   * @param key the key
   */
  delete(key: keyof Data & string): void {
    const state = this.#state
    delete state.data[key]
    state.changes.push({ kind: 'delete', key })
    if (state.flashIn !== undefined) delete state.flashIn[key]
  }

  /**
   * Removes everything, the binding to a user included (as Django's `clear()` drops the login
   * with the rest). An emptied session is destroyed at commit: its store entry is removed and its
   * cookie expired, as with `destroy()`; a `login()` or a `set()` afterwards keeps it instead.
   */
  clear(): void {
    const state = this.#state
    state.data = emptyBag()
    state.flashIn = undefined
    state.flashOut = undefined
    state.userId = null
    state.changes.push({ kind: 'clear' })
  }

  /** The keys present, data first, then this request's flash. */
  keys(): string[] {
    return this.entries().map(([key]) => key)
  }

  /** The `[key, value]` pairs present; a flash value wins over data under the same key. */
  entries(): Array<[string, unknown]> {
    const { flashIn, data } = this.#state
    const all: Bag = Object.assign(emptyBag(), data, flashIn)
    return Object.entries(all)
  }

  /**
   * Stores a value for the next request only: it can be read there, then it is gone, read or
   * not. Use it for messages after a redirect ("Added to cart").
   * @param key the key
   * @param value a JSON-compatible value
   */
  flash<K extends keyof Flash & string>(key: K, value: Flash[K]): void {
    assertJsonValue(value, key)
    const state = this.#state
    const created = state.flashOut === undefined
    try {
      this.#write((state.flashOut ??= emptyBag()), key, value)
    } catch (error) {
      // A refused first flash leaves no empty bag behind, which would count as content.
      if (created) state.flashOut = undefined
      throw error
    }
  }

  /**
   * Moves the data to a new id: on commit the data is stored under the new id, the old id is
   * removed from the store and the new cookie is sent. Call it whenever privileges change (at
   * login) so that an id planted before login is worthless afterwards.
   * @see https://cheatsheetseries.owasp.org/cheatsheets/Session_Management_Cheat_Sheet.html#renew-the-session-id-after-any-privilege-level-change
   */
  regenerate(): void {
    const state = this.#state
    state.id = generateSessionId()
    if (state.status === 'stored') state.status = 'moved'
  }

  /**
   * Binds the session to a user, as Django's `login()` does: the id is regenerated (see
   * `regenerate()`) and the data kept, unless the session belonged to another user, whose data
   * is cleared first. A session bound to a user is stored even with no data, and can be listed
   * and ended with `sessions.listSessions()` and `sessions.endSessions()`.
   * @param userId the user's id, a non-empty string
   * @throws SessionDataError for anything else
   */
  login(userId: string): void {
    if (typeof userId !== 'string' || userId === '') {
      throw new SessionDataError('session.login() needs the user id as a non-empty string')
    }
    const state = this.#state
    if (state.userId !== null && state.userId !== userId) this.clear()
    state.userId = userId
    this.regenerate()
  }

  /**
   * Ends the session: on commit its store entry is removed and its cookie expired. Values set
   * afterwards start a new session under a new id.
   */
  destroy(): void {
    const state = this.#state
    this.clear()
    state.id = null
    state.userId = null
    state.changes = []
    if (state.storedId !== null) state.status = 'ended'
    state.expiry = undefined
    // Whatever is set afterwards is a new session, whose absolute timeout starts now.
    state.createdAt = Date.now()
  }

  /**
   * Overrides when this session expires, like Django's `set_expiry`.
   * @param expiry seconds of inactivity (a positive integer); a `Date` at which it ends however
   *   active it is; `0` for a cookie that lasts until the browser closes (the server keeps the
   *   default idle timeout); `null` to return to the configured defaults. At most 400 days.
   * @throws SessionDataError for any other value
   * @throws SessionTooLargeError when a cookie-stored session would outgrow the cookie
   */
  setExpiry(expiry: SessionExpiry): void {
    const state = this.#state
    const previous = state.expiry
    const limit = Date.now() + MAX_EXPIRY_SECONDS * 1000
    if (expiry === null) state.expiry = undefined
    else if (expiry === 0) state.expiry = { kind: 'browser' }
    else if (
      typeof expiry === 'number' &&
      Number.isInteger(expiry) &&
      expiry > 0 &&
      expiry <= MAX_EXPIRY_SECONDS
    ) {
      state.expiry = { kind: 'idle', seconds: expiry }
    } else if (
      expiry instanceof Date &&
      Number.isFinite(expiry.getTime()) &&
      expiry.getTime() <= limit
    ) {
      state.expiry = { kind: 'date', at: expiry.getTime() }
    } else {
      throw new SessionDataError(
        'session.setExpiry() takes a positive integer of seconds, a Date, 0 or null, at most 400 days ahead',
      )
    }
    // A date override takes room in a sealed cookie: refused here, not at commit.
    if (state.checkSize !== undefined) {
      try {
        state.checkSize(state)
      } catch (error) {
        state.expiry = previous
        throw error
      }
    }
  }

  #write(bag: Bag, key: string, value: unknown): void {
    const check = this.#state.checkSize
    if (check === undefined) {
      bag[key] = value
      return
    }
    const had = Object.hasOwn(bag, key)
    const previous = bag[key]
    bag[key] = value
    try {
      check(this.#state)
    } catch (error) {
      if (had) bag[key] = previous
      else delete bag[key]
      throw error
    }
  }
}

/**
 * The expiry time of a session touched at `now`: the idle timeout (or its override) from now,
 * or the date override, and never past the absolute timeout.
 */
export function computeExpiry(state: SessionState, now: number): number {
  const { expiry, policy } = state
  let at =
    expiry?.kind === 'date'
      ? expiry.at
      : now + (expiry?.kind === 'idle' ? expiry.seconds : policy.idleTimeout) * 1000
  if (policy.absoluteTimeout !== undefined)
    at = Math.min(at, state.createdAt + policy.absoluteTimeout * 1000)
  return at
}

/** True for a bag with no own keys. */
export function isEmpty(bag: Bag): boolean {
  for (const _ in bag) return false
  return true
}

/** True for a session with nothing worth keeping: no data, no flash for later, no user. */
export function isBlank(state: SessionState): boolean {
  return isEmpty(state.data) && state.flashOut === undefined && state.userId === null
}

/**
 * When a stored record's session ends: the expiry it was stored with, and never later than the
 * timeouts in force now allow, so that tightening `idleTimeout` or `absoluteTimeout` also
 * shortens sessions stored before.
 */
export function recordEnd(
  record: {
    expiry: ExpiryOverride | undefined
    expiresAt: number
    activeAt: number
    createdAt: number
  },
  policy: ExpiryPolicy,
): number {
  const { expiry } = record
  let end = record.expiresAt
  if (expiry?.kind !== 'date') {
    const idle = expiry?.kind === 'idle' ? expiry.seconds : policy.idleTimeout
    end = Math.min(end, record.activeAt + idle * 1000)
  }
  if (policy.absoluteTimeout !== undefined) {
    end = Math.min(end, record.createdAt + policy.absoluteTimeout * 1000)
  }
  return end
}
