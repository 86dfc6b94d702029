// A browser reduced to its one cookie, driving a Worker that miniflare runs: what both Workers'
// tests send their requests through.
import type { Miniflare } from 'miniflare'

/** A browser with one cookie jar slot, for `__Host-session`. */
export class Browser {
  /** The value of the session cookie, or `undefined` when the browser holds none. */
  cookie: string | undefined

  /** @param worker returns the running Worker (it may be restarted between requests) */
  constructor(readonly worker: () => Miniflare) {}

  /**
   * Sends a request with the cookie, and keeps the cookie the response sets (or expires).
   * @param path the path, resolved against http://localhost
   * @param init the request
   */
  async request(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers)
    if (this.cookie !== undefined) headers.set('cookie', `__Host-session=${this.cookie}`)
    const response = (await this.worker().dispatchFetch(new URL(path, 'http://localhost').href, {
      ...init,
      headers,
      redirect: 'manual',
    } as Parameters<Miniflare['dispatchFetch']>[1])) as unknown as Response
    const set = response.headers.get('set-cookie')
    if (set !== null) {
      const value = /^__Host-session=([^;]*)/.exec(set)![1]!
      this.cookie = /Max-Age=0/.test(set) ? undefined : value
    }
    return response
  }

  /**
   * Posts a form, and reads the response through.
   * @param path the path
   * @param form the form fields
   */
  async post(path: string, form: Record<string, string> = {}): Promise<Response> {
    const response = await this.request(path, { method: 'POST', body: new URLSearchParams(form) })
    await response.arrayBuffer()
    return response
  }

  /** @returns what `GET /api/session` answers */
  async state<View>(): Promise<View> {
    return (await this.request('/api/session')).json() as Promise<View>
  }

  /** The session id the cookie carries (before the `.` of its signature). */
  get id(): string {
    return this.cookie!.split('.')[0]!
  }
}
