// The serialized form of a session, as stores keep it: a "body" (what the application can
// change), then "|" and the timestamps in base 36 (created, touched, expires, and the last
// activity when it came after the last touch), then, in a sealed cookie only, the id:
//
//   {"cart":["apple"]}|mihq2k1s,mihq2k1s,mj3w7tds
//   {"cart":["apple","pear"]}|mihq2k1s,mihq2k1s,mj3w9x0c,mihq4f3a
//   x2s0[{"user":"ada"},{"message":"Welcome back"}]|mihq2k1s,mihq3a0b,mihqbi2f,<id>
//
// The body is the data as JSON, or `[data, flash]` when flash values wait for the next request,
// or `[data, flash or 0, "user id"]` for a session bound to a user (`session.login()`), preceded by the expiry override when there is one: `x<seconds>` (idle timeout), `a<time>` (a
// date) or `b` (until the browser closes), numbers in base 36. Comparing bodies tells whether
// the session changed (lifecycle rule 4) without serializing the data loaded a second time.
//
// Only the body goes through JSON.parse: a JSON envelope around it with three 13-digit times
// cost twice as long to parse and 30 more bytes in every stored session.

/** A plain object with no prototype, so stored keys such as `__proto__` stay plain keys. */
export type Bag = Record<string, unknown>

/**
 * A new, empty bag. Not `Object.create(null)`: V8 keeps that as a hash table from the start,
 * which makes each write, each emptiness check and each `JSON.stringify` of a session's data
 * slower than on an object that loses its prototype after being created.
 */
export function emptyBag(): Bag {
  return Object.setPrototypeOf({}, null)
}

/** How one session's expiry was overridden with `session.setExpiry()`. */
export type ExpiryOverride =
  | { readonly kind: 'idle'; readonly seconds: number }
  | { readonly kind: 'date'; readonly at: number }
  | { readonly kind: 'browser' }

/** A session as decoded from a store or a sealed cookie. */
export interface SessionRecord {
  data: Bag
  /** Flash values written by the previous request, readable by this one only. */
  flash: Bag | undefined
  expiry: ExpiryOverride | undefined
  /** The user the session is bound to by `session.login()`, or `null`. */
  userId: string | null
  /** Milliseconds since the epoch. */
  createdAt: number
  /** Last time the cookie's lifetime was refreshed (at most once per `touchInterval`). */
  touchedAt: number
  expiresAt: number
  /** Last time the session changed or was refreshed: `touchedAt` or later. */
  activeAt: number
  /** The session id, kept in the record only when the record is the cookie (`CookieStore`). */
  id: string | undefined
  /** The body of the record as it was read, for change detection. */
  body: string
  /** The rest, from the "|": the times (and id), with which `body` makes the record again. */
  tail: string
}

/**
 * Serializes the changeable part of a session.
 * @returns the body, to compare with `SessionRecord.body` and to pass to `serializeRecord`
 */
export function serializeBody(
  data: Bag,
  flash: Bag | undefined,
  expiry: ExpiryOverride | undefined,
  userId: string | null,
): string {
  const json = JSON.stringify(
    userId !== null ? [data, flash ?? 0, userId] : flash === undefined ? data : [data, flash],
  )
  if (expiry === undefined) return json
  if (expiry.kind === 'idle') return 'x' + expiry.seconds.toString(36) + json
  if (expiry.kind === 'date') return 'a' + expiry.at.toString(36) + json
  return 'b' + json
}

/**
 * Completes a body with the timestamps (and, for sealed cookies, the id).
 * @param activeAt the last activity, written only when later than `touchedAt`; default the same
 * @param previousTail the tail of the record this one replaces, whose times of creation and last
 *   touch are reused when they are the same, instead of being formatted again
 */
export function serializeRecord(
  body: string,
  createdAt: number,
  touchedAt: number,
  expiresAt: number,
  id?: string,
  activeAt: number = touchedAt,
  previousTail: string | null = null,
): string {
  // join() yields one flat string, where `+` would leave a rope of pieces that a store keeps
  // (about 200 bytes more per session in memory) and that the next parse must flatten.
  const parts = [body, timesPrefix(previousTail, createdAt, touchedAt), time36(expiresAt)]
  if (activeAt > touchedAt) parts.push(',', time36(activeAt))
  if (id !== undefined) parts.push(',', id)
  return parts.join('')
}

// "|<created>,<touched>,": from the previous tail when it holds these two times, which a commit
// that only changes the data leaves as they were.
function timesPrefix(previousTail: string | null, createdAt: number, touchedAt: number): string {
  if (previousTail !== null) {
    const c1 = previousTail.indexOf(',')
    const c2 = c1 === -1 ? -1 : previousTail.indexOf(',', c1 + 1)
    if (
      c2 !== -1 &&
      base36(previousTail, 1, c1) === createdAt &&
      base36(previousTail, c1 + 1, c2) === touchedAt
    ) {
      return previousTail.slice(0, c2 + 1)
    }
  }
  const created = time36(createdAt)
  // A new session was created and touched at the same moment.
  return '|' + created + ',' + (touchedAt === createdAt ? created : time36(touchedAt)) + ','
}

// A time in base 36, remembered for the last two times formatted: `toString(36)` costs about
// 0.25 µs, and the commits of one millisecond share their two new times (now, and the expiry).
let lastTime = -1
let lastText = ''
let otherTime = -1
let otherText = ''
function time36(time: number): string {
  if (time === lastTime) return lastText
  if (time === otherTime) return otherText
  otherTime = lastTime
  otherText = lastText
  lastTime = time
  lastText = time.toString(36)
  return lastText
}

/**
 * Decodes a record. Anything that is not a record this module wrote yields `null`, so a corrupt
 * or foreign store entry becomes a fresh session instead of an exception.
 */
export function parseRecord(text: unknown): SessionRecord | null {
  if (typeof text !== 'string') return null
  // The tail holds no "|", the JSON before it may.
  const bar = text.lastIndexOf('|')
  if (bar === -1) return null
  const c1 = text.indexOf(',', bar)
  const c2 = c1 === -1 ? -1 : text.indexOf(',', c1 + 1)
  if (c2 === -1) return null
  let c3 = text.indexOf(',', c2 + 1)
  if (c3 === -1) c3 = text.length
  const createdAt = base36(text, bar + 1, c1)
  const touchedAt = base36(text, c1 + 1, c2)
  const expiresAt = base36(text, c2 + 1, c3)
  if (createdAt < 0 || touchedAt < 0 || expiresAt < 0) return null
  // Then the last activity, if any (at most 11 digits), and the id (32 characters).
  let activeAt = touchedAt
  let rest = c3
  if (c3 < text.length) {
    let c4 = text.indexOf(',', c3 + 1)
    if (c4 === -1) c4 = text.length
    if (c4 - c3 - 1 <= 11) {
      activeAt = base36(text, c3 + 1, c4)
      if (activeAt < touchedAt) return null
      rest = c4
    }
  }
  // The caller checks the id's shape (isSessionId) before trusting it.
  const id = rest < text.length ? text.slice(rest + 1) : undefined
  if (id === '') return null

  // The expiry override, if any, runs up to the JSON, which opens with "{" or "[".
  let start = 0
  let expiry: ExpiryOverride | undefined
  const tag = text.charCodeAt(0)
  if (tag !== 0x7b && tag !== 0x5b) {
    while (start < bar && text.charCodeAt(start) !== 0x7b && text.charCodeAt(start) !== 0x5b) {
      start++
    }
    const value = base36(text, 1, start)
    if (tag === 0x62 && start === 1) expiry = { kind: 'browser' }
    else if (tag === 0x78 && value > 0) expiry = { kind: 'idle', seconds: value }
    else if (tag === 0x61 && value >= 0) expiry = { kind: 'date', at: value }
    else return null
  }

  let raw: unknown
  try {
    raw = JSON.parse(text.slice(start, bar))
  } catch {
    return null
  }
  let data: unknown = raw
  let flash: unknown
  let userId: string | null = null
  if (Array.isArray(raw)) {
    if (raw.length === 3) {
      if (typeof raw[2] !== 'string' || raw[2] === '') return null
      userId = raw[2]
      if (raw[1] !== 0 && !isBag(raw[1])) return null
      flash = raw[1] === 0 ? undefined : raw[1]
    } else {
      if (raw.length !== 2 || !isBag(raw[1])) return null
      flash = raw[1]
    }
    data = raw[0]
  }
  if (!isBag(data)) return null
  // Bags lose their prototype so that keys such as "__proto__" read and write as plain keys;
  // JSON.parse already made any such stored key an own property.
  Object.setPrototypeOf(data, null)
  if (flash !== undefined) Object.setPrototypeOf(flash, null)
  return {
    data,
    flash: flash as Bag | undefined,
    expiry,
    userId,
    createdAt,
    touchedAt,
    expiresAt,
    activeAt,
    id,
    body: text.slice(0, bar),
    tail: text.slice(bar),
  }
}

function isBag(value: unknown): value is Bag {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
}

// The non-negative integer written in base 36 (lower case) between `start` and `end`, or -1
// when that is not one: empty, another character, or beyond the safe integers.
function base36(text: string, start: number, end: number): number {
  if (start >= end || end - start > 11) return -1
  let value = 0
  for (let i = start; i < end; i++) {
    const code = text.charCodeAt(i)
    const digit =
      code >= 0x30 && code <= 0x39 ? code - 0x30 : code >= 0x61 && code <= 0x7a ? code - 0x57 : -1
    if (digit === -1) return -1
    value = value * 36 + digit
  }
  return Number.isSafeInteger(value) ? value : -1
}
