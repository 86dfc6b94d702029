// A browser's cookie handling, reduced to what the behaviour stories need: keep what Set-Cookie
// says (honouring Max-Age and Expires), send it back in Cookie. Secure is ignored, as browsers do
// for http://localhost and 127.0.0.1.

export class CookieJar {
  readonly #cookies = new Map<string, { value: string; expiresAt: number }>()

  /** Takes the Set-Cookie headers of a response. */
  store(response: Response): this {
    for (const line of response.headers.getSetCookie()) {
      const [pair = '', ...attributes] = line.split(';')
      const eq = pair.indexOf('=')
      const name = pair.slice(0, eq).trim()
      const value = pair.slice(eq + 1).trim()
      let expiresAt = Infinity
      for (const attribute of attributes) {
        const [key = '', raw = ''] = attribute.trim().split('=')
        if (key.toLowerCase() === 'max-age') expiresAt = Date.now() + Number(raw) * 1000
        else if (key.toLowerCase() === 'expires' && expiresAt === Infinity) {
          expiresAt = new Date(raw).getTime()
        }
      }
      if (expiresAt <= Date.now()) this.#cookies.delete(name)
      else this.#cookies.set(name, { value, expiresAt })
    }
    return this
  }

  /** The value of a cookie, or undefined. */
  get(name: string): string | undefined {
    const cookie = this.#cookies.get(name)
    return cookie !== undefined && cookie.expiresAt > Date.now() ? cookie.value : undefined
  }

  /** Overwrites or removes a cookie, as an attacker or a test might. */
  set(name: string, value: string | undefined): void {
    if (value === undefined) this.#cookies.delete(name)
    else this.#cookies.set(name, { value, expiresAt: Infinity })
  }

  /** The Cookie header to send, or undefined when there is nothing to send. */
  header(): string | undefined {
    const now = Date.now()
    const pairs = [...this.#cookies]
      .filter(([, cookie]) => cookie.expiresAt > now)
      .map(([name, cookie]) => `${name}=${cookie.value}`)
    return pairs.length > 0 ? pairs.join('; ') : undefined
  }
}
