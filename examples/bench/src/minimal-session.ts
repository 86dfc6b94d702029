// The floor experiment: the least work a server-side session with a signed cookie can do on Hono,
// written by hand for this one route and nothing else. No options, no store interface, no
// concurrency, no expiry refresh, no error handling: what is left is reading the cookie, one map
// lookup, the record's JSON both ways, and the headers; a new session draws its id and signs it
// with the fastest primitives measured here. Its ratio to bare Hono over HTTP bounds
// what any complete session library could reach there. With NO_VARY=1 it also leaves out
// `Vary: Cookie`, which a correct session must send, to bound what that header costs.
import { randomFillSync, timingSafeEqual } from 'node:crypto'
import { webCrypto } from '@fetch-session/core'
import { Hono } from 'hono'
import type { Handler } from './apps.ts'
import { COUNTER_PATH, IDLE_SECONDS, SECRET, UNTOUCHED_PATH } from './server-control.ts'

const NAME = 'sid='
const MAX_SESSIONS = 10_000

interface Env {
  Variables: { session: () => { count?: number } }
  Bindings: { outgoing: { setHeader(name: string, value: string): unknown } }
}

/**
 * The floor: Hono with a hand-written session middleware over a `Map`.
 * @returns the handler, and how many sessions it holds
 */
export function minimalSession(): { fetch: Handler; size: () => number } {
  const records = new Map<string, string>()
  // Cookie values already verified, as fetch-session keeps them, so that a resent cookie costs
  // a lookup instead of an HMAC.
  const verified = new Set<string>()
  const vary = process.env['NO_VARY'] !== '1'
  const app = new Hono<Env>()
  app.use(async (c, next) => {
    let data: { count?: number } | undefined
    let id: string | undefined
    let before = ''
    let asked = false
    c.set('session', () => {
      asked = true
      if (data !== undefined) return data
      const value = cookieValue(c.req.raw.headers.get('cookie'))
      if (value !== undefined && (verified.has(value) || verify(value))) {
        verified.add(value)
        const storedId = value.slice(0, value.indexOf('.'))
        const stored = records.get(storedId)
        if (stored !== undefined) {
          const record = JSON.parse(stored) as { d: { count?: number }; e: number }
          if (record.e > Date.now()) {
            id = storedId
            data = record.d
            before = JSON.stringify(data)
            return data
          }
        }
      }
      data = {}
      return data
    })
    await next()
    if (!asked) return
    const outgoing = c.env.outgoing
    if (vary) outgoing.setHeader('Vary', 'Cookie')
    const after = JSON.stringify(data)
    if (after === before) return
    const fresh = id === undefined
    id ??= newId()
    // Bounded as fetch-session's MemoryStore is by default, crudely: a flood of new sessions
    // would otherwise grow the map, and the collector's work with it, without end.
    if (records.size >= MAX_SESSIONS) {
      records.clear()
      verified.clear()
    }
    records.set(id, `{"d":${after},"e":${Date.now() + IDLE_SECONDS * 1000}}`)
    if (fresh) {
      outgoing.setHeader(
        'Set-Cookie',
        `sid=${id}.${sign(id)}; Max-Age=${IDLE_SECONDS}; Path=/; HttpOnly; SameSite=Lax`,
      )
    }
  })
  app.get(COUNTER_PATH, (c) => {
    const data = c.var.session()
    data.count = (data.count ?? 0) + 1
    return c.text(String(data.count))
  })
  app.get(UNTOUCHED_PATH, (c) => c.text('ok'))
  return { fetch: app.fetch, size: () => records.size }
}

function cookieValue(header: string | null): string | undefined {
  if (header === null) return undefined
  const start = header.indexOf(NAME)
  if (start === -1) return undefined
  const end = header.indexOf(';', start)
  return header.slice(start + NAME.length, end === -1 ? undefined : end)
}

// The fastest primitives measured here for a new session (findings, item 4 of the speed work):
// random bytes drawn 4 KB at a time, and the core's HMAC, which makes no native object per call.
const pool = Buffer.alloc(4096)
let offset = pool.length

function newId(): string {
  if (offset + 32 > pool.length) {
    randomFillSync(pool)
    offset = 0
  }
  offset += 32
  return pool.toString('base64url', offset - 32, offset)
}

function sign(id: string): string {
  return Buffer.from(webCrypto.sign(SECRET, id) as Uint8Array).toString('base64url')
}

function verify(value: string): boolean {
  const dot = value.indexOf('.')
  if (dot === -1) return false
  const expected = Buffer.from(sign(value.slice(0, dot)))
  const given = Buffer.from(value.slice(dot + 1))
  return expected.length === given.length && timingSafeEqual(expected, given)
}
