import { CookieError } from './errors.ts'

/** Attributes of a `Set-Cookie` header, under the names the ecosystem uses. */
export interface SerializeCookieOptions {
  /** Turns the value into cookie-octets. Default: `encodeURIComponent`. */
  encode?: (value: string) => string
  /** Seconds until the cookie expires; `0` or less expires it now. An integer, at most 400 days. */
  maxAge?: number
  /** When the cookie expires. At most 400 days ahead; `Max-Age` wins in browsers that see both. */
  expires?: Date
  /** The host the cookie is sent to, with its subdomains. Default: none (this host only). */
  domain?: string
  /** The path prefix the cookie is sent for. Must start with `/`. Default: none. */
  path?: string
  /** Send only over HTTPS (and to http://localhost). */
  secure?: boolean
  /** Hide from `document.cookie`. */
  httpOnly?: boolean
  /** Cross-site policy. `true` means `strict`. */
  sameSite?: boolean | 'lax' | 'strict' | 'none' | 'Lax' | 'Strict' | 'None'
  /** Keep in a storage partitioned by top-level site (CHIPS). Requires `secure`. */
  partitioned?: boolean
  /** Chromium's eviction priority. */
  priority?: 'low' | 'medium' | 'high' | 'Low' | 'Medium' | 'High'
}

/** Browsers keep at most 4096 bytes of a cookie's name and value together (RFC 6265bis 5.7). */
export const MAX_COOKIE_SIZE = 4096

/** Browsers cap Max-Age and Expires at 400 days (RFC 6265bis 5.5, 5.6.1, 5.6.2). */
export const MAX_COOKIE_AGE = 400 * 24 * 60 * 60

// token = 1*tchar; tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." / "^" /
// "_" / "`" / "|" / "~" / DIGIT / ALPHA   (RFC 9110 5.6.2, used by RFC 6265 4.1.1 cookie-name)
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/

// cookie-value = *cookie-octet / ( DQUOTE *cookie-octet DQUOTE )
// cookie-octet = %x21 / %x23-2B / %x2D-3A / %x3C-5B / %x5D-7E   (RFC 6265 4.1.1)
const COOKIE_VALUE = /^("?)[\x21\x23-\x2B\x2D-\x3A\x3C-\x5B\x5D-\x7E]*\1$/

// domain-value = <subdomain> (RFC 1034 3.5, relaxed by RFC 1123 2.1 to allow a leading digit);
// an optional leading dot is ignored by browsers (RFC 6265 4.1.2.3).
const DOMAIN =
  /^\.?[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/i

// path-value = *av-octet; av-octet = %x20-3A / %x3C-7E (any CHAR except CTLs or ";")
// (RFC 6265bis 4.1.1). A value not starting with "/" is replaced by the default path, so it is
// refused rather than silently misread (RFC 6265bis 5.6.4).
const PATH = /^\/[\x20-\x3A\x3C-\x7E]*$/

/**
 * Serializes a cookie into a `Set-Cookie` header value.
 * @param name a token; `__Secure-`, `__Host-`, `__Http-` and `__Host-Http-` prefixes have their
 *   rules enforced
 * @param value any string; encoded with `options.encode`
 * @param options the cookie's attributes
 * @returns the header value, attributes in a fixed order
 * @throws CookieError on anything a browser would reject or misread
 * @see https://httpwg.org/http-extensions/draft-ietf-httpbis-rfc6265bis.html#section-4.1
 */
export function serializeCookie(
  name: string,
  value: string,
  options: SerializeCookieOptions = {},
): string {
  if (!TOKEN.test(name))
    throw new CookieError('Cookie name must be a non-empty token (RFC 6265 4.1.1)')
  const encoded = (options.encode ?? encodeURIComponent)(value)
  if (!COOKIE_VALUE.test(encoded)) {
    throw new CookieError(`Value of cookie "${name}" is not made of cookie-octets after encoding`)
  }
  if (name.length + 1 + encoded.length > MAX_COOKIE_SIZE) {
    throw new CookieError(
      `Cookie "${name}" is longer than the ${MAX_COOKIE_SIZE} bytes browsers keep`,
    )
  }
  let header = name + '=' + encoded

  if (options.maxAge !== undefined) {
    const maxAge = options.maxAge
    if (!Number.isInteger(maxAge))
      throw new CookieError('Cookie maxAge must be an integer of seconds')
    if (maxAge > MAX_COOKIE_AGE) throw new CookieError('Cookie maxAge must be at most 400 days')
    header += '; Max-Age=' + maxAge
  }
  if (options.domain !== undefined) {
    if (!DOMAIN.test(options.domain))
      throw new CookieError('Cookie domain is not a valid host name')
    header += '; Domain=' + options.domain
  }
  if (options.path !== undefined) {
    if (!PATH.test(options.path)) {
      throw new CookieError(
        'Cookie path must start with "/" and contain no control character or ";"',
      )
    }
    header += '; Path=' + options.path
  }
  if (options.expires !== undefined) {
    const time = options.expires instanceof Date ? options.expires.getTime() : NaN
    if (!Number.isFinite(time)) throw new CookieError('Cookie expires must be a valid Date')
    // One second of slack: a caller computing "now + 400 days" must not trip over clock ticks.
    if (time > Date.now() + (MAX_COOKIE_AGE + 1) * 1000) {
      throw new CookieError('Cookie expires must be at most 400 days ahead')
    }
    header += '; Expires=' + options.expires.toUTCString()
  }
  if (options.httpOnly) header += '; HttpOnly'
  if (options.secure) header += '; Secure'
  if (options.partitioned) {
    // Browsers drop a Partitioned cookie that is not Secure (CHIPS, section 2.1).
    if (!options.secure) throw new CookieError('A partitioned cookie must be secure')
    header += '; Partitioned'
  }
  if (options.priority !== undefined) {
    const priority = String(options.priority).toLowerCase()
    if (priority === 'low') header += '; Priority=Low'
    else if (priority === 'medium') header += '; Priority=Medium'
    else if (priority === 'high') header += '; Priority=High'
    else throw new CookieError('Cookie priority must be "low", "medium" or "high"')
  }
  if (options.sameSite !== undefined && options.sameSite !== false) {
    const sameSite = options.sameSite === true ? 'strict' : String(options.sameSite).toLowerCase()
    if (sameSite === 'strict') header += '; SameSite=Strict'
    else if (sameSite === 'lax') header += '; SameSite=Lax'
    else if (sameSite === 'none') {
      // Browsers reject SameSite=None without Secure (RFC 6265bis 5.6.7).
      if (!options.secure) throw new CookieError('A SameSite=None cookie must be secure')
      header += '; SameSite=None'
    } else throw new CookieError('Cookie sameSite must be "lax", "strict" or "none"')
  }
  checkPrefix(name, options)
  return header
}

// Cookie name prefixes are matched case-insensitively (RFC 6265bis 4.1.3, 5.7 step 23-26).
function checkPrefix(name: string, options: SerializeCookieOptions): void {
  const lower = name.toLowerCase()
  const host = lower.startsWith('__host-')
  if (host || lower.startsWith('__secure-')) {
    if (!options.secure) throw new CookieError(`A cookie named "${name}" must be secure`)
  }
  if (host) {
    if (options.domain !== undefined)
      throw new CookieError(`A cookie named "${name}" must have no domain`)
    if (options.path !== '/') throw new CookieError(`A cookie named "${name}" must have path "/"`)
  }
  // __Http- and __Host-Http- (RFC 6265bis draft 20, 4.1.3.3-4): also HttpOnly and Secure.
  if (lower.startsWith('__http-') || lower.startsWith('__host-http-')) {
    if (!options.secure || !options.httpOnly) {
      throw new CookieError(`A cookie named "${name}" must be secure and httpOnly`)
    }
  }
}
