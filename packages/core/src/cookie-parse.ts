/** Options of `parseCookie`. */
export interface ParseCookieOptions {
  /**
   * Turns a raw cookie value into the value returned. Its errors are caught and the raw value
   * kept. Default: `decodeURIComponent`, applied only to values that contain a `%`.
   */
  decode?: (value: string) => string
}

/** The cookies of a `Cookie` header, by name, without a prototype. */
export type Cookies = Record<string, string | undefined>

/**
 * Parses a `Cookie` request header into a record of names to values. It never throws: pairs
 * without `=` are skipped, and so are pairs whose name (trimmed of spaces and tabs) is not an
 * RFC 6265 token, such as `tasty cookie`, `best_cookie\` or an empty name; the first occurrence
 * of a name wins (browsers send the most specific cookie first), surrounding double quotes are
 * removed, and a malformed `%` escape is kept as it came.
 * @param header the `Cookie` header value, or `null` when absent
 * @param options `decode` overrides percent-decoding
 * @returns a prototype-less record
 * @see https://httpwg.org/http-extensions/draft-ietf-httpbis-rfc6265bis.html#section-5.6
 * @see https://www.rfc-editor.org/rfc/rfc6265#section-4.1.1
 */
export function parseCookie(
  header: string | null | undefined,
  options?: ParseCookieOptions,
): Cookies {
  if (typeof header !== 'string') return Object.create(null)
  const length = header.length
  // Either way `__proto__` or `constructor` in a header are plain keys: nothing is inherited.
  // V8 keeps an `Object.create(null)` object as a hash table; past a few cookies its inserts
  // cost more than the fast properties of a `Cookies` object, whose prototype (empty, itself
  // prototype-less) is dropped at the end, a fixed cost that only a longer header repays.
  const short = length < SHORT_HEADER
  const cookies: Cookies = short ? Object.create(null) : new Cookies()
  const decode = options?.decode ?? decodePercent
  let start = 0
  while (start < length) {
    const eq = header.indexOf('=', start)
    if (eq === -1) break // no pair left
    let end = header.indexOf(';', start)
    if (end === -1) end = length
    if (eq > end) {
      // Segments without "=" are skipped in one jump to the one holding the next "=", so a
      // header made of ";" costs linear time, not quadratic.
      start = header.lastIndexOf(';', eq - 1) + 1
      continue
    }
    let from = start
    while (from < eq && isBlank(header.charCodeAt(from))) from++
    const to = tokenEnd(header, from, eq)
    if (to !== -1) {
      const name = header.slice(from, to)
      if (cookies[name] === undefined) cookies[name] = cookieValue(header, eq + 1, end, decode)
    }
    start = end + 1
  }
  return short ? cookies : Object.setPrototypeOf(cookies, null)
}

/**
 * The value of one cookie of a `Cookie` header, read as `parseCookie(header)[name]` would read
 * it, without building the record: a request's session cookie is found without slicing or
 * storing the other cookies a browser sends along (analytics, consent, preferences).
 * @param header the `Cookie` header value, or `null` when absent
 * @param name the cookie name; a name that is not a token finds nothing, as in `parseCookie`
 * @returns the decoded value of the first cookie of that name, or `undefined`
 */
export function readCookie(header: string | null | undefined, name: string): string | undefined {
  // A pair whose name equals a token has a token name, so checking `name` once is enough.
  if (typeof header !== 'string' || tokenEnd(name, 0, name.length) !== name.length) return undefined
  const length = header.length
  let start = 0
  while (start < length) {
    const eq = header.indexOf('=', start)
    if (eq === -1) break
    let end = header.indexOf(';', start)
    if (end === -1) end = length
    if (eq > end) {
      start = header.lastIndexOf(';', eq - 1) + 1
      continue
    }
    let from = start
    let to = eq
    while (from < to && isBlank(header.charCodeAt(from))) from++
    while (to > from && isBlank(header.charCodeAt(to - 1))) to--
    if (to - from === name.length && header.startsWith(name, from)) {
      return cookieValue(header, eq + 1, end, decodePercent)
    }
    start = end + 1
  }
  return undefined
}

// Headers below this length (about three cookies) are parsed into a hash table directly.
const SHORT_HEADER = 200

// A constructor whose instances start with fast properties and inherit nothing.
const Cookies = function () {} as unknown as new () => Cookies
Cookies.prototype = Object.create(null)

// Only SP and HTAB are trimmed (RFC 6265bis 5.6, step 3 of parsing a cookie string). Trimming
// other Unicode white space would let "\u00a0__Host-x" pass for a prefixed cookie name.
function trimmed(text: string, start: number, end: number): string {
  while (start < end && isBlank(text.charCodeAt(start))) start++
  while (end > start && isBlank(text.charCodeAt(end - 1))) end--
  return text.slice(start, end)
}

function isBlank(code: number): boolean {
  return code === 0x20 || code === 0x09
}

// cookie-name = token (RFC 6265, 4.1.1); token = 1*tchar, and
// tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." / "^" / "_" / "`" / "|" /
//         "~" / DIGIT / ALPHA  (RFC 9110, 5.6.2).
// Browsers send other names too (a space, a backslash, non-ASCII); every such pair is dropped
// rather than some kept and some not, and no server can set one with `serializeCookie`.
const TCHAR = new Uint8Array(128)
for (const c of "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz") {
  TCHAR[c.charCodeAt(0)] = 1
}

// Where the token starting at `start` ends, when only blanks follow it up to `end`; else -1.
// One pass over the name, which the trimming of its end would otherwise make two.
function tokenEnd(text: string, start: number, end: number): number {
  let i = start
  for (; i < end; i++) {
    const code = text.charCodeAt(i)
    if (code > 0x7f || TCHAR[code] === 0) break
  }
  const token = i
  while (i < end && isBlank(text.charCodeAt(i))) i++
  return token === start || i !== end ? -1 : token
}

// cookie-value = *cookie-octet / ( DQUOTE *cookie-octet DQUOTE )  (RFC 6265, 4.1.1): the quotes
// are not part of the value. A value that fails to decode is kept as it came.
function cookieValue(
  header: string,
  start: number,
  end: number,
  decode: (value: string) => string,
): string {
  let value = trimmed(header, start, end)
  if (
    value.length > 1 &&
    value.charCodeAt(0) === 0x22 &&
    value.charCodeAt(value.length - 1) === 0x22
  ) {
    value = value.slice(1, -1)
  }
  try {
    return decode(value)
  } catch {
    return value
  }
}

function decodePercent(value: string): string {
  return value.includes('%') ? decodeURIComponent(value) : value
}
