// The floor experiment: the least work a server-side session with a signed cookie can do on Hono,
// written by hand for the bench's one route (the middleware in src/floor-session.ts). No
// options, no store interface, no concurrency, no expiry refresh, no error handling: what is left
// is reading the cookie, one map lookup, the record's JSON both ways, and the headers; a new
// session draws its id and signs it with the fastest primitives measured here. Its ratio to bare
// Hono over HTTP bounds what any complete session library could reach there. With NO_VARY=1 it
// also leaves out `Vary: Cookie`, which a correct session must send, to bound what that costs.
import { randomFillSync, timingSafeEqual } from 'node:crypto'
import { webCrypto } from '@fetch-session/core'
import type { Handler } from './apps.ts'
import { floorSession } from './floor-session.ts'
import type { FloorData } from './floor-session.ts'
import { IDLE_SECONDS, SECRET } from './server-control.ts'

const MAX_SESSIONS = 10_000

/**
 * The floor: Hono with a hand-written session over a `Map`.
 * @returns the handler, and how many sessions it holds
 */
export function minimalSession(): { fetch: Handler; size: () => number } {
  const records = new Map<string, string>()
  // Cookie values already verified, as fetch-session keeps them, so that a resent cookie costs
  // a lookup instead of an HMAC.
  const verified = new Set<string>()
  const fetch = floorSession(
    {
      find(value) {
        if (!verified.has(value) && !verify(value)) return undefined
        verified.add(value)
        const id = value.slice(0, value.indexOf('.'))
        const stored = records.get(id)
        if (stored === undefined) return undefined
        const record = JSON.parse(stored) as { d: FloorData; e: number }
        if (record.e <= Date.now()) return undefined
        return { data: record.d, before: JSON.stringify(record.d), id }
      },
      keep(json, stored) {
        const id = stored ?? newId()
        // Bounded as fetch-session's MemoryStore is by default, crudely: a flood of new sessions
        // would otherwise grow the map, and the collector's work with it, without end.
        if (records.size >= MAX_SESSIONS) {
          records.clear()
          verified.clear()
        }
        records.set(id, `{"d":${json},"e":${Date.now() + IDLE_SECONDS * 1000}}`)
        return stored === undefined ? `${id}.${sign(id)}` : undefined
      },
    },
    process.env['NO_VARY'] !== '1',
  )
  return { fetch, size: () => records.size }
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
