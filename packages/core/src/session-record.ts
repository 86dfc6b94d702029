// The serialized form of a session, as stores keep it. One JSON object whose changeable part
// (data, flash, expiry override) comes first and whose timestamps come last:
//
//   {"d":{...},"f":{...},"x":3600,"a":1767225600000,"c":1764000000000,"t":1764100000000,"e":...}
//
// Everything before `,"c":` is the record's "body"; comparing bodies tells whether the session
// changed (lifecycle rule 4) without a second serialization of the data loaded.

/** A plain object with no prototype, so stored keys such as `__proto__` stay plain keys. */
export type Bag = Record<string, unknown>

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
  /** Milliseconds since the epoch. */
  createdAt: number
  /** Last time the expiry was extended. */
  touchedAt: number
  expiresAt: number
  /** The session id, kept in the record only when the record is the cookie (`CookieStore`). */
  id: string | undefined
  /** The body of the record as it was read, for change detection. */
  body: string
}

const TAIL = ',"c":'

/**
 * Serializes the changeable part of a session.
 * @returns the body, to compare with `SessionRecord.body` and to pass to `serializeRecord`
 */
export function serializeBody(
  data: Bag,
  flash: Bag | undefined,
  expiry: ExpiryOverride | undefined,
): string {
  let body = '{"d":' + JSON.stringify(data)
  if (flash !== undefined) body += ',"f":' + JSON.stringify(flash)
  if (expiry !== undefined) {
    if (expiry.kind === 'idle') body += ',"x":' + expiry.seconds
    else if (expiry.kind === 'browser') body += ',"x":0'
    else body += ',"a":' + expiry.at
  }
  return body
}

/** Completes a body with the timestamps (and, for sealed cookies, the id). */
export function serializeRecord(
  body: string,
  createdAt: number,
  touchedAt: number,
  expiresAt: number,
  id?: string,
): string {
  // join() yields one flat string, where `+` would leave a rope of pieces that a store keeps
  // (about 200 bytes more per session in memory) and that the next parse must flatten.
  return [
    body,
    TAIL,
    createdAt,
    ',"t":',
    touchedAt,
    ',"e":',
    expiresAt,
    id === undefined ? '' : ',"i":' + JSON.stringify(id),
    '}',
  ].join('')
}

/**
 * Decodes a record. Anything that is not a record this module wrote yields `null`, so a corrupt
 * or foreign store entry becomes a fresh session instead of an exception.
 */
export function parseRecord(text: unknown): SessionRecord | null {
  if (typeof text !== 'string') return null
  const tail = text.lastIndexOf(TAIL)
  if (tail === -1) return null
  let raw: unknown
  try {
    raw = JSON.parse(text)
  } catch {
    return null
  }
  if (!isBag(raw)) return null
  const { d, f, x, a, c, t, e, i } = raw
  if (!isBag(d) || (f !== undefined && !isBag(f))) return null
  if (!isTime(c) || !isTime(t) || !isTime(e)) return null
  if (i !== undefined && typeof i !== 'string') return null
  let expiry: ExpiryOverride | undefined
  if (x !== undefined) {
    if (typeof x !== 'number' || !Number.isInteger(x) || x < 0) return null
    expiry = x === 0 ? { kind: 'browser' } : { kind: 'idle', seconds: x }
  } else if (a !== undefined) {
    if (!isTime(a)) return null
    expiry = { kind: 'date', at: a }
  }
  // Top-level bags lose their prototype so that keys such as "__proto__" read and write as plain
  // keys; JSON.parse already made any such stored key an own property.
  Object.setPrototypeOf(d, null)
  if (f !== undefined) Object.setPrototypeOf(f, null)
  return {
    data: d,
    flash: f,
    expiry,
    createdAt: c,
    touchedAt: t,
    expiresAt: e,
    id: i,
    body: text.slice(0, tail),
  }
}

function isBag(value: unknown): value is Bag {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
}

function isTime(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0
}
