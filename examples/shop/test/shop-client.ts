import type { createShopApp } from '../src/app.ts'

type ShopApp = ReturnType<typeof createShopApp>

/** A response of the shop, with its body read. */
export interface ShopResponse {
  status: number
  location: string | null
  /** The `Set-Cookie` headers of the response. */
  setCookies: string[]
  body: string
}

/**
 * A browser stand-in for in-process tests: it keeps the cookies that `app.request()` responses
 * set (and drops expired ones), sends them back, and posts forms with a same-origin `Origin`.
 */
export class ShopClient {
  readonly cookies = new Map<string, string>()
  readonly #app: ShopApp
  readonly #userAgent: string | undefined

  /**
   * @param app the shop
   * @param userAgent the `User-Agent` header of every request; none when absent
   */
  constructor(app: ShopApp, userAgent?: string) {
    this.#app = app
    this.#userAgent = userAgent
  }

  /** GETs a page. */
  get(path: string): Promise<ShopResponse> {
    return this.request(path, { method: 'GET' })
  }

  /** POSTs a form, as a page of the shop would. */
  post(path: string, form: Record<string, string> = {}): Promise<ShopResponse> {
    return this.request(path, {
      method: 'POST',
      headers: { origin: 'http://localhost', 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form).toString(),
    })
  }

  /** Sends a request with the kept cookies, and keeps the ones the response sets. */
  async request(path: string, init: RequestInit): Promise<ShopResponse> {
    const headers = new Headers(init.headers)
    const cookie = [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ')
    if (cookie !== '') headers.set('cookie', cookie)
    if (this.#userAgent !== undefined) headers.set('user-agent', this.#userAgent)
    const response = await this.#app.request(path, { ...init, headers })
    const setCookies = response.headers.getSetCookie()
    for (const line of setCookies) {
      const [pair = '', ...attributes] = line.split(';')
      const name = pair.slice(0, pair.indexOf('='))
      const expired = attributes.some((attribute) => /^\s*max-age=0\s*$/i.test(attribute))
      if (expired) this.cookies.delete(name)
      else this.cookies.set(name, pair.slice(pair.indexOf('=') + 1))
    }
    return {
      status: response.status,
      location: response.headers.get('location'),
      setCookies,
      body: await response.text(),
    }
  }
}
