// Hono + fetch-session on @hono/node-server: the `session()` middleware over a MemoryStore, a
// CookieStore or a FileStore, chosen by the STORE environment variable (memory, cookie, file;
// DIRECTORY for file), with Web Crypto, or with `nodeCrypto` from @fetch-session/node when
// CRYPTO=node.
import { readdir } from 'node:fs/promises'
import { serve } from '@hono/node-server'
import { CookieStore, MemoryStore } from '@fetch-session/core'
import { FileStore } from '@fetch-session/node'
import { benchSessions, fetchSessionHono } from '../apps.ts'
import { nodeCrypto } from '../crypto-provider.ts'
import { announce, port } from '../server-control.ts'
import type { ServerHooks } from '../server-control.ts'

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

const server = serve(
  { fetch: fetchSessionHono(benchSessions(store, crypto)), port: port(), hostname: '127.0.0.1' },
  () => announce(server.address(), hooks),
)
