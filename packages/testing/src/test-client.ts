import type { Session, Sessions } from '@fetch-session/core'
import { CookieJar } from './cookie-jar.ts'
import type { JarCookie } from './cookie-jar.ts'
import { encodeBody } from './request-body.ts'
import type { TestBody } from './request-body.ts'

/**
 * A fetch handler: Hono's `app.fetch`, `sessions.wrap(handler)`, or `fetch` itself to drive a
 * server that listens (with `baseUrl` pointing at it).
 */
export type FetchHandler = (request: Request) => Response | Promise<Response>

/** Options of `createTestClient`. */
export interface TestClientOptions {
  /**
   * The URL request paths are resolved against, as `new URL(path, baseUrl)` does. Default:
   * `"http://localhost"`, where browsers accept Secure cookies over plain http.
   */
  baseUrl?: string | URL
}

/** What `client.fetch` takes: a `RequestInit` with a test body and a choice about redirects. */
export interface TestRequestInit extends Omit<RequestInit, 'body' | 'redirect'> {
  /** The request body; see `TestBody`. */
  body?: TestBody | null
  /**
   * Whether to follow redirects as a browser does (303, and 301/302 after a POST, turn into a
   * GET without body; 307 and 308 repeat the request), storing the cookies of every hop, up to
   * 20. Default: `false`, the redirect response is returned.
   */
  follow?: boolean
}

// https://fetch.spec.whatwg.org/#redirect-status
const REDIRECTS = new Set([301, 302, 303, 307, 308])
const MAX_REDIRECTS = 20
const BODY_HEADERS = ['content-type', 'content-length', 'content-encoding', 'content-language']

/**
 * Creates a client that drives a fetch handler as a browser would: it keeps the cookies the
 * handler sets and sends them back, posts forms and JSON, and follows redirects when asked.
 * @param handler the fetch handler under test
 * @param options the base URL
 * @returns the client
 */
export function createTestClient(
  handler: FetchHandler,
  options: TestClientOptions = {},
): TestClient {
  return new TestClient(handler, options)
}

/** A browser-like client of one fetch handler, with its own cookie jar. Build it with `createTestClient`. */
export class TestClient {
  /** The URL request paths are resolved against. */
  readonly baseUrl: URL
  readonly #handler: FetchHandler
  readonly #jar = new CookieJar()
  #url: URL | undefined

  /**
   * @param handler the fetch handler under test
   * @param options see `TestClientOptions`
   */
  constructor(handler: FetchHandler, options: TestClientOptions = {}) {
    this.#handler = handler
    this.baseUrl = new URL(options.baseUrl ?? 'http://localhost')
  }

  /** The URL of the last request made, after redirects; `undefined` before the first. */
  get url(): URL | undefined {
    return this.#url
  }

  /**
   * Sends a request with the jar's cookies and stores the cookies of the response. Unsafe
   * methods carry an `Origin` header, as browsers send, so CSRF checks see a same-origin form.
   * @param path the path or URL, resolved against `baseUrl`
   * @param init the request; see `TestRequestInit`
   * @returns the response (the last one, when redirects are followed)
   */
  async fetch(path: string | URL, init: TestRequestInit = {}): Promise<Response> {
    const { follow = false, body: testBody, ...rest } = init
    const encoded = testBody == null ? undefined : encodeBody(testBody)
    const headers = new Headers(rest.headers)
    if (encoded?.type !== undefined && !headers.has('content-type')) {
      headers.set('content-type', encoded.type)
    }
    let url = new URL(path, this.baseUrl)
    let method = (rest.method ?? 'GET').toUpperCase()
    let body = encoded?.body
    for (let redirects = 0; ; redirects++) {
      const sent = new Headers(headers)
      const cookie = this.#jar.header(url)
      if (cookie !== undefined) {
        const own = sent.get('cookie')
        sent.set('cookie', own === null ? cookie : `${own}; ${cookie}`)
      }
      if (method !== 'GET' && method !== 'HEAD' && !sent.has('origin')) {
        sent.set('origin', url.origin)
      }
      const request = new Request(url, {
        ...rest,
        method,
        headers: sent,
        body: body ?? null,
        redirect: 'manual',
      })
      const response = await this.#handler(request)
      this.#jar.store(response, url)
      this.#url = url
      const location = response.headers.get('location')
      if (!follow || !REDIRECTS.has(response.status) || location === null) return response
      if (redirects === MAX_REDIRECTS) {
        throw new Error(`More than ${MAX_REDIRECTS} redirects, the last to ${location}`)
      }
      await response.body?.cancel()
      url = new URL(location, url)
      // https://fetch.spec.whatwg.org/#http-redirect-fetch step 12
      if (
        response.status === 303
          ? method !== 'HEAD'
          : (response.status === 301 || response.status === 302) && method === 'POST'
      ) {
        method = 'GET'
        body = undefined
        for (const name of BODY_HEADERS) headers.delete(name)
      }
    }
  }

  /**
   * Sends a GET request.
   * @param path the path or URL, resolved against `baseUrl`
   * @param init further request options
   * @returns the response
   */
  get(path: string | URL, init: Omit<TestRequestInit, 'method' | 'body'> = {}): Promise<Response> {
    return this.fetch(path, { ...init, method: 'GET' })
  }

  /**
   * Sends a POST request.
   * @param path the path or URL, resolved against `baseUrl`
   * @param body a plain object or `URLSearchParams` (a form), `jsonBody(value)` (JSON), or any
   *   `BodyInit`
   * @param init further request options
   * @returns the response
   */
  post(
    path: string | URL,
    body?: TestBody,
    init: Omit<TestRequestInit, 'method' | 'body'> = {},
  ): Promise<Response> {
    return this.fetch(path, { ...init, method: 'POST', body: body ?? null })
  }

  /** The live cookies of the jar, with their attributes. */
  get cookies(): JarCookie[] {
    return this.#jar.all()
  }

  /**
   * The value of a live cookie, as the server sent it.
   * @param name the cookie name
   * @returns the value (of the one with the longest path if several have that name), or
   *   `undefined`
   */
  cookie(name: string): string | undefined {
    return this.#jar
      .all()
      .filter((cookie) => cookie.name === name)
      .sort((a, b) => b.path.length - a.path.length)[0]?.value
  }

  /**
   * Puts a cookie in the jar as if a response from `baseUrl` had set it: to start signed in, or
   * to tamper with a cookie as an attacker would.
   * @param setCookie a `Set-Cookie` value, such as `session=abc` or `session=; Max-Age=0`
   */
  setCookie(setCookie: string): void {
    this.#jar.setCookie(setCookie, this.baseUrl)
  }

  /** Forgets every cookie, as a browser whose cookies were cleared. */
  clearCookies(): void {
    this.#jar.clear()
  }

  /**
   * Loads the session the jar's cookie names, as the application would see it on its next
   * request. Nothing is committed: changes made to it are not saved.
   * @param sessions the application's `Sessions` object
   * @param path the path of the request to load it for. Default: `"/"`.
   * @returns the session (a fresh, empty one when the jar holds no valid session cookie)
   */
  session<Data extends object>(sessions: Sessions<Data>, path = '/'): Promise<Session<Data>> {
    const url = new URL(path, this.baseUrl)
    const cookie = this.#jar.header(url)
    return sessions.load(new Request(url, cookie === undefined ? {} : { headers: { cookie } }))
  }
}
