// What the two floor sessions share (src/minimal-session.ts, src/minimal-cookie-session.ts): the
// Hono middleware and routes around a way of keeping the data, and the session cookie's value.
import { Hono } from 'hono'
import type { Handler } from './apps.ts'
import { COUNTER_PATH, IDLE_SECONDS, UNTOUCHED_PATH } from './server-control.ts'

const NAME = 'sid='

/** The session data of the bench's route. */
export interface FloorData {
  count?: number
}

/** A session the cookie stands for. */
export interface FloorFound {
  data: FloorData
  /** The data's JSON as found, to tell whether the route changed it. */
  before: string
  /** Where it is stored, if anywhere. */
  id?: string
}

/** How a floor session finds its data and keeps it. */
export interface FloorKeeping {
  /** The session a cookie value stands for, or `undefined` for none (unknown, forged, expired). */
  find(value: string): FloorFound | undefined
  /**
   * Keeps changed data.
   * @param json the data's JSON
   * @param id where the session is stored, if it is
   * @returns the cookie value to send, if the cookie must change
   */
  keep(json: string, id: string | undefined): string | undefined
}

interface Env {
  Variables: { session: () => FloorData }
  Bindings: { outgoing: { setHeader(name: string, value: string): unknown } }
}

/**
 * Hono with a hand-written session middleware over a keeping, and the bench's two routes. The
 * headers go on the `ServerResponse` before `@hono/node-server` writes the head.
 * @param keeping where the data is
 * @param vary send `Vary: Cookie`, as a session must
 */
export function floorSession(keeping: FloorKeeping, vary = true): Handler {
  const app = new Hono<Env>()
  app.use(async (c, next) => {
    let data: FloorData | undefined
    let found: FloorFound | undefined
    c.set('session', () => {
      if (data !== undefined) return data
      const value = cookieValue(c.req.raw.headers.get('cookie'))
      found = value === undefined ? undefined : keeping.find(value)
      data = found?.data ?? {}
      return data
    })
    await next()
    if (data === undefined) return
    const outgoing = c.env.outgoing
    if (vary) outgoing.setHeader('Vary', 'Cookie')
    const after = JSON.stringify(data)
    if (after === found?.before) return
    const value = keeping.keep(after, found?.id)
    if (value === undefined) return
    outgoing.setHeader(
      'Set-Cookie',
      `sid=${value}; Max-Age=${IDLE_SECONDS}; Path=/; HttpOnly; SameSite=Lax`,
    )
  })
  app.get(COUNTER_PATH, (c) => {
    const data = c.var.session()
    data.count = (data.count ?? 0) + 1
    return c.text(String(data.count))
  })
  app.get(UNTOUCHED_PATH, (c) => c.text('ok'))
  return app.fetch
}

function cookieValue(header: string | null): string | undefined {
  if (header === null) return undefined
  const start = header.indexOf(NAME)
  if (start === -1) return undefined
  const end = header.indexOf(';', start)
  return header.slice(start + NAME.length, end === -1 ? undefined : end)
}
