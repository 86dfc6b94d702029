// A browser's cookie store, reduced to what tests of a server need: Set-Cookie in, Cookie out,
// with the rules of RFC 6265bis section 5 that decide which cookie is kept and which is sent.
// SameSite is not applied: every request of a test is a same-site, top-level one.

/** A cookie as the jar keeps it. */
export interface JarCookie {
  /** The cookie name. */
  name: string
  /** The value exactly as the server sent it (not percent-decoded). */
  value: string
  /** The host the cookie is sent to; with `hostOnly: false`, its subdomains too. */
  domain: string
  /** Whether the cookie had no `Domain` attribute, and so goes to `domain` only. */
  hostOnly: boolean
  /** The path the cookie is sent under. */
  path: string
  /** Whether the cookie goes over secure origins only (https, and localhost as browsers allow). */
  secure: boolean
  /** Whether the cookie had `HttpOnly`; tests can read it anyway. */
  httpOnly: boolean
  /** When the cookie expires, in ms since the epoch; `Infinity` for a browser-session cookie. */
  expiresAt: number
}

/**
 * Keeps the cookies that responses set and gives the `Cookie` header a browser would send with
 * a request: expiry (`Max-Age` before `Expires`, a past time deleting), `Domain`, `Path`,
 * `Secure` (allowed on http://localhost and 127.0.0.1, as browsers do) and the `__Host-` and
 * `__Secure-` prefixes.
 * @see https://datatracker.ietf.org/doc/html/draft-ietf-httpbis-rfc6265bis#section-5.7
 */
export class CookieJar {
  #cookies: JarCookie[] = []

  /**
   * Takes the `Set-Cookie` headers of a response.
   * @param response the response
   * @param url the URL of the request it answers
   */
  store(response: Response, url: string | URL): void {
    for (const line of response.headers.getSetCookie()) this.setCookie(line, url)
  }

  /**
   * Takes one `Set-Cookie` value, as if a response to `url` carried it. A cookie a browser would
   * refuse (a `Domain` of another site, `Secure` from an insecure origin, a broken prefix) is
   * ignored, as a browser does.
   * @param line the header value, such as `session=abc; Path=/; HttpOnly`
   * @param url the URL of the request it answers
   */
  setCookie(line: string, url: string | URL): void {
    const origin = new URL(url)
    const cookie = parseSetCookie(line, origin)
    if (cookie === null) return
    this.#cookies = this.#cookies.filter(
      (kept) =>
        kept.name !== cookie.name || kept.domain !== cookie.domain || kept.path !== cookie.path,
    )
    if (cookie.expiresAt > Date.now()) this.#cookies.push(cookie)
  }

  /**
   * The `Cookie` header a browser would send to a URL.
   * @param url the request URL
   * @returns the header value, or `undefined` when no cookie applies
   */
  header(url: string | URL): string | undefined {
    const pairs = this.matching(url).map((cookie) => `${cookie.name}=${cookie.value}`)
    return pairs.length > 0 ? pairs.join('; ') : undefined
  }

  /**
   * The live cookies, in the order they were set.
   * @returns copies of the cookies
   */
  all(): JarCookie[] {
    const now = Date.now()
    return this.#cookies.filter((cookie) => cookie.expiresAt > now).map((cookie) => ({ ...cookie }))
  }

  /**
   * The cookies sent to a URL, most specific path first (the order of RFC 6265bis 5.7.3).
   * @param url the request URL
   * @returns copies of the cookies
   */
  matching(url: string | URL): JarCookie[] {
    const target = new URL(url)
    const host = target.hostname.toLowerCase()
    const secure = isSecure(target)
    return this.all()
      .filter(
        (cookie) =>
          (cookie.hostOnly ? host === cookie.domain : domainMatches(host, cookie.domain)) &&
          pathMatches(target.pathname, cookie.path) &&
          (!cookie.secure || secure),
      )
      .sort((a, b) => b.path.length - a.path.length)
  }

  /** Forgets every cookie, as a fresh browser profile. */
  clear(): void {
    this.#cookies = []
  }
}

function parseSetCookie(line: string, url: URL): JarCookie | null {
  const [pair = '', ...attributes] = line.split(';')
  const eq = pair.indexOf('=')
  // RFC 6265bis 5.6 step 3: a pair without `=` is a value with an empty name.
  const name = eq === -1 ? '' : trim(pair.slice(0, eq))
  const value = trim(eq === -1 ? pair : pair.slice(eq + 1))
  if (name === '' && value === '') return null
  const host = url.hostname.toLowerCase()
  const cookie: JarCookie = {
    name,
    value,
    domain: host,
    hostOnly: true,
    path: defaultPath(url),
    secure: false,
    httpOnly: false,
    expiresAt: Infinity,
  }
  let maxAge: number | undefined
  let expires: number | undefined
  for (const attribute of attributes) {
    const at = attribute.indexOf('=')
    const key = trim(at === -1 ? attribute : attribute.slice(0, at)).toLowerCase()
    const raw = at === -1 ? '' : trim(attribute.slice(at + 1))
    if (key === 'max-age' && /^-?\d+$/.test(raw)) maxAge = Number(raw)
    else if (key === 'expires' && !Number.isNaN(Date.parse(raw))) expires = Date.parse(raw)
    else if (key === 'domain' && raw !== '') {
      // 5.6.3: a leading dot is ignored; the domain must be the host or one of its parents.
      const domain = raw.replace(/^\./, '').toLowerCase()
      if (!domainMatches(host, domain)) return null
      cookie.domain = domain
      cookie.hostOnly = domain === host && isIpAddress(host)
    } else if (key === 'path' && raw.startsWith('/')) cookie.path = raw
    else if (key === 'secure') cookie.secure = true
    else if (key === 'httponly') cookie.httpOnly = true
  }
  if (maxAge !== undefined) cookie.expiresAt = maxAge <= 0 ? 0 : Date.now() + maxAge * 1000
  else if (expires !== undefined) cookie.expiresAt = expires
  // 5.7 steps 10 and 19-20: only a secure origin sets a Secure cookie, and the prefixes hold.
  if (cookie.secure && !isSecure(url)) return null
  if (name.toLowerCase().startsWith('__secure-') && !cookie.secure) return null
  if (
    name.toLowerCase().startsWith('__host-') &&
    (!cookie.secure || !cookie.hostOnly || cookie.path !== '/')
  ) {
    return null
  }
  return cookie
}

// Only space and tab count as white space in a Set-Cookie line (RFC 6265bis 5.6).
function trim(text: string): string {
  return text.replace(/^[ \t]+|[ \t]+$/g, '')
}

// 5.1.4: the request path up to its last `/`, or `/`.
function defaultPath(url: URL): string {
  const path = url.pathname
  const last = path.lastIndexOf('/')
  return !path.startsWith('/') || last <= 0 ? '/' : path.slice(0, last)
}

// 5.1.4: the cookie path is the request path, or a prefix of it ending at a `/`.
function pathMatches(requestPath: string, cookiePath: string): boolean {
  if (requestPath === cookiePath) return true
  if (!requestPath.startsWith(cookiePath)) return false
  return cookiePath.endsWith('/') || requestPath[cookiePath.length] === '/'
}

// 5.1.3: the host is the domain, or a name ending in `.` + the domain (never for IP addresses).
function domainMatches(host: string, domain: string): boolean {
  return host === domain || (host.endsWith(`.${domain}`) && !isIpAddress(host))
}

function isIpAddress(host: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(host) || host.startsWith('[')
}

// Browsers treat loopback origins as secure contexts, so Secure cookies work on them over http.
// https://w3c.github.io/webappsec-secure-contexts/#is-origin-trustworthy
function isSecure(url: URL): boolean {
  if (url.protocol === 'https:') return true
  const host = url.hostname.toLowerCase()
  return (
    host === 'localhost' ||
    host.endsWith('.localhost') ||
    host === '[::1]' ||
    /^127(\.\d{1,3}){3}$/.test(host)
  )
}
