import { assertJsonValue } from './json-value.ts'
import { generateSessionId } from './session-id.ts'
import { emptyBag } from './session-record.ts'
import type { Bag, ExpiryOverride } from './session-record.ts'

/** The default shape of session data: any JSON-compatible values under string keys. */
export type SessionData = Record<string, unknown>

/** What `session.setExpiry()` takes. */
export type SessionExpiry = number | Date | null

/** The mutable state of one session, shared with `Sessions` and invisible to applications. */
export interface SessionState {
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
  createdAt: number
  touchedAt: number
  expiresAt: number
  /** The id the store knows this session under; `null` for a session not yet stored. */
  storedId: string | null
  /** The body read from the store, to tell whether anything changed. */
  storedBody: string | null
  /** The stored record's times, reused while they do not change (see `recordWithBody`). */
  storedTail: string | null
  /** The cookie value the request carried, reusable as long as the id does not change. */
  cookieValue: string | null
  /** The cookie was signed with an older secret: re-issue it under the current one. */
  stale: boolean
  /** `destroy()` or `regenerate()` was called: the stored id must go. */
  dropStored: boolean
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

let stateOf: (session: Session<object>) => SessionState

/**
 * Reaches the internal state of a session; for the package's own modules, not exported from
 * the entry point.
 */
export function sessionState(session: Session<object>): SessionState {
  return stateOf(session)
}

// 400 days: browsers cap cookie lifetimes there, so a longer expiry could never be honoured.
const MAX_EXPIRY_SECONDS = 400 * 24 * 60 * 60

/**
 * The session of one request, loaded by `sessions.load(request)`. Changes are persisted by
 * `sessions.commit()` (which `sessions.wrap()` calls for you).
 * @typeParam Data the shape of the data kept in the session
 */
export class Session<Data extends object = SessionData> {
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

  /**
   * When this session expires: for a stored session, the expiry it was stored with (activity
   * may extend it at commit); for a new one, the expiry it would get if committed now. `null`
   * while the session is empty, since an empty session is not kept.
   */
  get expiresAt(): Date | null {
    const state = this.#state
    if (isEmpty(state.data) && state.flashOut === undefined) return null
    if (state.storedId !== null && !state.dropStored) return new Date(state.expiresAt)
    return new Date(computeExpiry(state, Date.now()))
  }

  /**
   * Reads a value; a flash value set by the previous request wins over data under the same key.
   * @param key the key
   * @returns the value, or `undefined` when absent. Objects are live: mutating them is saved.
   */
  get<K extends keyof Data & string>(key: K): Data[K] | undefined {
    const { flashIn, data } = this.#state
    if (flashIn !== undefined && Object.hasOwn(flashIn, key)) return flashIn[key] as Data[K]
    return Object.hasOwn(data, key) ? (data[key] as Data[K]) : undefined
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
    this.#write(this.#state.data, key, value)
    // What was just set is what `get` must return, not a flash value read under the same key.
    const { flashIn } = this.#state
    if (flashIn !== undefined) delete flashIn[key]
  }

  /**
   * Tells whether a key holds a value, in the data or in this request's flash.
   * @param key the key
   */
  has(key: keyof Data & string): boolean {
    const { flashIn, data } = this.#state
    return Object.hasOwn(data, key) || (flashIn !== undefined && Object.hasOwn(flashIn, key))
  }

  /**
   * Removes a key from the data and from this request's flash.
   * @param key the key
   */
  delete(key: keyof Data & string): void {
    const { flashIn, data } = this.#state
    delete data[key]
    if (flashIn !== undefined) delete flashIn[key]
  }

  /**
   * Removes everything. An emptied session is destroyed at commit: its store entry is removed
   * and its cookie expired, as with `destroy()`.
   */
  clear(): void {
    const state = this.#state
    state.data = emptyBag()
    state.flashIn = undefined
    state.flashOut = undefined
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
  flash<K extends keyof Data & string>(key: K, value: Data[K]): void {
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
    state.dropStored = true
  }

  /**
   * Ends the session: on commit its store entry is removed and its cookie expired. Values set
   * afterwards start a new session under a new id.
   */
  destroy(): void {
    const state = this.#state
    this.clear()
    state.id = null
    state.dropStored = true
    state.expiry = undefined
    // Whatever is set afterwards is a new session, whose absolute timeout starts now.
    state.createdAt = Date.now()
  }

  /**
   * Overrides when this session expires, like Django's `set_expiry`.
   * @param expiry seconds of inactivity (a positive integer); a `Date` at which it ends however
   *   active it is; `0` for a cookie that lasts until the browser closes (the server keeps the
   *   default idle timeout); `null` to return to the configured defaults. At most 400 days.
   * @throws RangeError for any other value
   */
  setExpiry(expiry: SessionExpiry): void {
    const state = this.#state
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
      throw new RangeError(
        'session.setExpiry() takes a positive integer of seconds, a Date, 0 or null, at most 400 days ahead',
      )
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
