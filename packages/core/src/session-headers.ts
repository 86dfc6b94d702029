/**
 * What a session adds to a response, decided by the core and applied by whoever holds the
 * response: `sessions.commit()` on a Fetch `Response`, an adapter on its framework's own object.
 */
export interface SessionHeaders {
  /** A `Set-Cookie` value to append (never to set over the application's own), or `null`. */
  setCookie: string | null
  /**
   * Whether `Vary: Cookie` is due: always, once the session was loaded, since the response
   * then depends on the cookie (RFC 9111 4.1). Merge it with `varyWithCookie()`.
   */
  vary: boolean
  /**
   * Whether the response must be kept from shared caches, because it sets the session cookie:
   * apply it with `privateCacheControl()`.
   */
  private: boolean
}

/** The headers of a response whose handler never loaded the session: nothing changes. */
export const NO_SESSION_HEADERS: SessionHeaders = { setCookie: null, vary: false, private: false }

/**
 * The `Vary` value that adds `Cookie` to what a response already has.
 * @param vary the response's `Vary`, or `null`
 * @returns the value to set, or `null` when it already covers `Cookie` (or is `*`)
 */
export function varyWithCookie(vary: string | null): string | null {
  if (vary === null || vary.trim() === '') return 'Cookie'
  return /(?:^|,)\s*(?:cookie|\*)\s*(?:,|$)/i.test(vary) ? null : vary + ', Cookie'
}

// Directives that let a shared cache store the response (RFC 9111 5.2.2.7, 5.2.2.10).
const SHARED = /^(?:public|s-maxage(?:=.*)?)$/i

/**
 * The `Cache-Control` value for a response that sets the session cookie: shared caches must not
 * store it, or they could hand one visitor's session to the next. No `Cache-Control` becomes
 * `private`; `public` and `s-maxage` are dropped for `private`, other directives (a `max-age`
 * for the browser's own cache) are kept; `private` or `no-store` already there stay as they are.
 * @param cacheControl the response's `Cache-Control`, or `null`
 * @returns the value to set, or `null` to leave it
 * @see https://www.rfc-editor.org/rfc/rfc9111#section-5.2.2.7
 */
export function privateCacheControl(cacheControl: string | null): string | null {
  if (cacheControl === null || cacheControl.trim() === '') return 'private'
  const directives = cacheControl.split(',').map((directive) => directive.trim())
  if (directives.some((directive) => /^(?:private|no-store)$/i.test(directive))) return null
  const kept = directives.filter((directive) => directive !== '' && !SHARED.test(directive))
  return ['private', ...kept].join(', ')
}

/**
 * Applies a session's headers to a Fetch `Headers` object.
 * @param headers the response's headers, mutable
 * @param changes what the session adds
 */
export function applySessionHeaders(headers: Headers, changes: SessionHeaders): void {
  if (changes.vary) {
    const vary = varyWithCookie(headers.get('vary'))
    if (vary !== null) headers.set('vary', vary)
  }
  if (changes.setCookie !== null) headers.append('set-cookie', changes.setCookie)
  if (changes.private) {
    const cacheControl = privateCacheControl(headers.get('cache-control'))
    if (cacheControl !== null) headers.set('cache-control', cacheControl)
  }
}

/**
 * A response carrying a session's headers: the same response, or a copy when its headers are
 * immutable (a response from `fetch()`, or `Response.redirect()`).
 * @param response the handler's response
 * @param changes what the session adds
 * @returns the response to send
 */
export function withSessionHeaders(response: Response, changes: SessionHeaders): Response {
  if (!changes.vary && changes.setCookie === null) return response
  try {
    applySessionHeaders(response.headers, changes)
    return response
  } catch (error) {
    if (!(error instanceof TypeError)) throw error
    const copy = new Response(response.body, response)
    applySessionHeaders(copy.headers, changes)
    return copy
  }
}
