import type { Sessions } from '@fetch-session/core'

/** Options of `mintSessionCookie`: what the minted session holds. */
export interface MintSessionCookieOptions<Data extends object> {
  /** The session data, set key by key as a handler would. Default: none. */
  data?: Partial<Data>
  /** The user to sign in with `session.login(userId)`. Default: none (an anonymous session). */
  userId?: string
  /**
   * The URL of the request the session is created for; its scheme matters to
   * `cookie.secure: "auto"`. Default: `"http://localhost/"`.
   */
  url?: string | URL
}

/** The cookie of a minted session, in the forms HTTP clients take. */
export interface MintedSessionCookie {
  /** The cookie name. */
  name: string
  /** The cookie value, as the application sent it. */
  value: string
  /** `name=value`, for a `Cookie` request header. */
  cookie: string
  /** The whole `Set-Cookie` value, for `client.setCookie()` or a browser's cookie store. */
  setCookie: string
}

/**
 * Creates a session through the application's own `Sessions` object and returns its cookie, so
 * that a test starts signed in (or with a cart, or any data) without driving the login form. The
 * session is stored as a handler would store it: loaded from a request without cookie, given its
 * data, signed in with `session.login(userId)` when a user is given, and committed.
 * @param sessions the application's `Sessions` object
 * @param options the data, the user and the request URL
 * @returns the session's cookie
 * @throws Error when there is nothing to store (no data and no user), since no cookie is set then
 */
export async function mintSessionCookie<Data extends object>(
  sessions: Sessions<Data>,
  options: MintSessionCookieOptions<Data> = {},
): Promise<MintedSessionCookie> {
  const session = await sessions.load(new Request(options.url ?? 'http://localhost/'))
  for (const [key, value] of Object.entries(options.data ?? {})) {
    session.set(key as keyof Data & string, value as Data[keyof Data & string])
  }
  if (options.userId !== undefined) session.login(options.userId)
  const response = await sessions.commit(session, new Response(null))
  const setCookie = response.headers.getSetCookie()[0]
  if (setCookie === undefined) {
    throw new Error('mintSessionCookie() needs data or a userId: an empty session sets no cookie')
  }
  const pair = setCookie.split(';', 1)[0] ?? ''
  const eq = pair.indexOf('=')
  return {
    name: pair.slice(0, eq),
    value: pair.slice(eq + 1),
    cookie: pair,
    setCookie,
  }
}
