// What each part of an existing session costs in process: `node --conditions=source --import tsx
// src/breakdown.ts`. The same `GET /counter` with the session cookie goes through applications
// that each add one part to the one before, served through the Node listener with no socket and
// interleaved batch by batch: bare Hono; behind an empty middleware; behind an async middleware
// that stores a getter with `c.set()` and a route that awaits it through `c.var` (what Hono's
// side of a session costs, with no session); the hand-written minimal session of the floor
// experiment (src/minimal-session.ts), beside them rather than a part; fetch-session reading the
// counter without changing it (the cookie, the store's read, the JSON both ways, `Vary`);
// fetch-session writing it, as the bench's counter does; and the same through `c.get('session')`
// instead of `c.var.session`.
// Prints the CPU time per request, the median of batches with the lowest and the highest.
import { MemoryStore } from '@fetch-session/core'
import type { Session } from '@fetch-session/core'
import { session } from '@fetch-session/hono'
import { Hono } from 'hono'
import type { Context } from 'hono'
import { benchSessions } from './apps.ts'
import type { Data, Handler } from './apps.ts'
import { interleavedCpuTable } from './interleaved-cpu.ts'
import { minimalSession } from './minimal-session.ts'
import { nodeListener, send, setCookies } from './node-listener.ts'
import { COUNTER_PATH } from './server-control.ts'

const BATCH = 2000
const PASSES = 15

type Part =
  | 'bare'
  | 'empty middleware'
  | 'getter'
  | 'minimal session (floor)'
  | 'read'
  | 'write'
  | 'write, c.get'

// The session as a route finds it, whichever way it asks.
type Getter = () => Promise<Pick<Session<Data>, 'get' | 'set'>>

function application(part: Part): Handler {
  if (part === 'minimal session (floor)') return minimalSession().fetch
  const app = new Hono()
  if (part === 'empty middleware') app.use((_c, next) => next())
  if (part === 'getter') {
    const stand = { get: () => 1, set: () => {} }
    app.use(async (c, next) => {
      c.set('session' as never, (() => Promise.resolve(stand)) as never)
      await next()
    })
  }
  if (part === 'read' || part.startsWith('write')) {
    app.use(session(benchSessions(new MemoryStore())) as never)
  }
  app.get(COUNTER_PATH, async (c: Context) => {
    if (part === 'bare' || part === 'empty middleware') return c.text('1')
    const getter = (part === 'write, c.get' ? c.get('session') : c.var.session) as Getter
    const current = await getter()
    const count = (current.get('count') ?? 0) + 1
    // The read-only route writes once, for the cookie the others send.
    if (part !== 'read' || count === 1) current.set('count', count)
    return c.text(String(count))
  })
  return app.fetch
}

const parts: Part[] = [
  'bare',
  'empty middleware',
  'getter',
  'minimal session (floor)',
  'read',
  'write',
  'write, c.get',
]
const rows: { name: Part; call: () => Promise<unknown> }[] = []
for (const part of parts) {
  const listener = nodeListener(application(part))
  const cookie = setCookies((await send(listener, COUNTER_PATH, null)).head).at(-1) ?? null
  rows.push({ name: part, call: () => send(listener, COUNTER_PATH, cookie) })
}

console.log(await interleavedCpuTable('application', rows, BATCH, PASSES))
