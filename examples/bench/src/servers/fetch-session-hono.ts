// Hono + fetch-session on @hono/node-server: the `session()` middleware over the store that
// STORE names: memory (the default), cookie, file (DIRECTORY), redis (RedisStore over node-redis,
// REDIS_URL) or postgres (PostgresStore over a `pg` Pool, DATABASE_URL); with Web Crypto, or
// with `nodeCrypto` from @fetch-session/node when CRYPTO=node.
import { readdir } from 'node:fs/promises'
import { serve } from '@hono/node-server'
import { CookieStore, MemoryStore } from '@fetch-session/core'
import type { SessionStore, VersionedSessionStore } from '@fetch-session/core'
import { FileStore } from '@fetch-session/node'
import { PostgresStore } from '@fetch-session/postgres'
import { RedisStore } from '@fetch-session/redis'
import pg from 'pg'
import { createClient } from 'redis'
import { benchSessions, fetchSessionHono } from '../apps.ts'
import { nodeCrypto } from '../crypto-provider.ts'
import { announce, port } from '../server-control.ts'
import type { ServerHooks } from '../server-control.ts'

const kind = process.env['STORE'] ?? 'memory'
let store: SessionStore | VersionedSessionStore | CookieStore
let hooks: ServerHooks
if (kind === 'cookie') {
  store = new CookieStore()
  hooks = { sessions: () => null }
} else if (kind === 'file') {
  const directory = process.env['DIRECTORY'] ?? ''
  store = new FileStore({ directory })
  hooks = {
    sessions: async () =>
      (await readdir(directory)).filter((name) => name.endsWith('.session')).length,
  }
} else if (kind === 'redis') {
  const client = createClient({ url: process.env['REDIS_URL'] ?? '' })
  client.on('error', (error: Error) => console.error('redis:', error.message))
  await client.connect()
  store = new RedisStore({ client, prefix: 'fs:' })
  hooks = { sessions: () => client.dbSize() }
} else if (kind === 'postgres') {
  const pool = new pg.Pool({ connectionString: process.env['DATABASE_URL'], max: 10 })
  pool.on('error', (error) => console.error('postgres:', error.message))
  const postgres = new PostgresStore({ client: pool })
  await postgres.migrate()
  store = postgres
  hooks = {
    sessions: async () => {
      const result = await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM fetch_session')
      return result.rows[0]!.n
    },
  }
} else {
  const memory = new MemoryStore()
  store = memory
  hooks = { sessions: () => memory.size }
}
const crypto = process.env['CRYPTO'] === 'node' ? nodeCrypto : null
if (process.env['CRYPTO'] === 'node' && crypto === null) throw new Error('no nodeCrypto')

const server = serve(
  { fetch: fetchSessionHono(benchSessions(store, crypto)), port: port(), hostname: '127.0.0.1' },
  () => announce(server.address(), hooks),
)
