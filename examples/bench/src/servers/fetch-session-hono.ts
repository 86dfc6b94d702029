// Hono + fetch-session: the `session()` middleware over a MemoryStore, a CookieStore or a
// FileStore, chosen by the STORE environment variable (memory, cookie, file; DIRECTORY for file),
// with Web Crypto, or with `nodeCrypto` from @fetch-session/node when CRYPTO=node.
import { readdir } from 'node:fs/promises'
import { serve } from '@hono/node-server'
import { CookieStore, MemoryStore, createSessions } from '@fetch-session/core'
import { session } from '@fetch-session/hono'
import type { SessionEnv } from '@fetch-session/hono'
import { FileStore } from '@fetch-session/node'
import { Hono } from 'hono'
import { nodeCrypto } from '../crypto-provider.ts'
import { COUNTER_PATH, SECRET, UNTOUCHED_PATH, announce, port } from '../server-control.ts'
import type { ServerHooks } from '../server-control.ts'

interface Data {
  count: number
}

const kind = process.env['STORE'] ?? 'memory'
const memory = new MemoryStore()
const directory = process.env['DIRECTORY'] ?? ''
const store =
  kind === 'cookie' ? new CookieStore() : kind === 'file' ? new FileStore({ directory }) : memory
const hooks: ServerHooks = {
  sessions:
    kind === 'cookie'
      ? () => null
      : kind === 'file'
        ? async () => (await readdir(directory)).filter((name) => name.endsWith('.session')).length
        : () => memory.size,
}

const crypto = process.env['CRYPTO'] === 'node' ? nodeCrypto : null
if (process.env['CRYPTO'] === 'node' && crypto === null) throw new Error('no nodeCrypto')
const sessions = createSessions<Data>({
  secrets: SECRET,
  store,
  ...(crypto === null ? {} : { crypto }),
})
const app = new Hono<SessionEnv<Data>>()
app.use(session(sessions))
app.get(COUNTER_PATH, async (c) => {
  const session = await c.var.session()
  const count = (session.get('count') ?? 0) + 1
  session.set('count', count)
  return c.text(String(count))
})
app.get(UNTOUCHED_PATH, (c) => c.text('ok'))

const server = serve({ fetch: app.fetch, port: port(), hostname: '127.0.0.1' }, () =>
  announce(server.address(), hooks),
)
