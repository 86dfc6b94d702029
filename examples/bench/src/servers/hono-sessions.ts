// hono-sessions, the session middleware Hono users pick most, configured as its README
// recommends (an encryption key, also for the MemoryStore): STORE=memory or STORE=cookie.
import { serve } from '@hono/node-server'
import { Hono } from 'hono'
import { CookieStore, MemoryStore, sessionMiddleware } from 'hono-sessions'
import type { Session } from 'hono-sessions'
import {
  COUNTER_PATH,
  IDLE_SECONDS,
  SECRET,
  UNTOUCHED_PATH,
  announce,
  port,
} from '../server-control.ts'

interface Data {
  count: number
}

interface Held {
  data: Map<string, unknown>
}

const kind = process.env['STORE'] ?? 'memory'
const memory = new MemoryStore()
const store = kind === 'cookie' ? new CookieStore() : memory

const app = new Hono<{ Variables: { session: Session<Data>; session_key_rotation: boolean } }>()
app.use(
  sessionMiddleware({
    store,
    encryptionKey: SECRET,
    expireAfterSeconds: IDLE_SECONDS,
    cookieOptions: { sameSite: 'Lax', path: '/', httpOnly: true },
  }),
)
app.get(COUNTER_PATH, (c) => {
  const session = c.get('session')
  const count = (session.get('count') ?? 0) + 1
  session.set('count', count)
  return c.text(String(count))
})
app.get(UNTOUCHED_PATH, (c) => c.text('ok'))

const server = serve({ fetch: app.fetch, port: port(), hostname: '127.0.0.1' }, () =>
  announce(server.address(), {
    // The store's map is declared private but is a plain public field at run time.
    sessions: () => (kind === 'cookie' ? null : (memory as unknown as Held).data.size),
  }),
)
