// Express 5 + express-session, configured as its README recommends (no resave, no uninitialized
// sessions), over the store a user would pick: its own MemoryStore (STORE=memory, the default),
// connect-redis (STORE=redis, REDIS_URL) or connect-pg-simple (STORE=postgres, DATABASE_URL).
// Not Secure: express-session would not send a Secure cookie over plain HTTP.
import { RedisStore } from 'connect-redis'
import connectPgSimple from 'connect-pg-simple'
import express from 'express'
import expressSession from 'express-session'
import pg from 'pg'
import { createClient } from 'redis'
import {
  COUNTER_PATH,
  IDLE_SECONDS,
  SECRET,
  UNTOUCHED_PATH,
  announce,
  port,
} from '../server-control.ts'

declare module 'express-session' {
  interface SessionData {
    count: number
  }
}

const kind = process.env['STORE'] ?? 'memory'
let store: expressSession.Store
let sessions: () => Promise<number | null>
if (kind === 'redis') {
  const client = createClient({ url: process.env['REDIS_URL'] ?? '' })
  client.on('error', (error: Error) => console.error('redis:', error.message))
  await client.connect()
  store = new RedisStore({ client, prefix: 'express:' })
  sessions = () => client.dbSize()
} else if (kind === 'postgres') {
  const pool = new pg.Pool({ connectionString: process.env['DATABASE_URL'], max: 10 })
  pool.on('error', (error) => console.error('postgres:', error.message))
  const PgStore = connectPgSimple(expressSession)
  const tableName = 'express_session'
  store = new PgStore({ pool, tableName, createTableIfMissing: true, pruneSessionInterval: false })
  sessions = async () => {
    const result = await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${tableName}`)
    return result.rows[0]!.n
  }
} else {
  const memory = new expressSession.MemoryStore()
  store = memory
  sessions = () => new Promise((resolve) => memory.length((_error, length) => resolve(length ?? 0)))
}

const app = express()
app.use(
  expressSession({
    secret: SECRET,
    store,
    resave: false,
    saveUninitialized: false,
    cookie: { httpOnly: true, sameSite: 'lax', secure: false, maxAge: IDLE_SECONDS * 1000 },
  }),
)
app.get(COUNTER_PATH, (req, res) => {
  const count = (req.session.count ?? 0) + 1
  req.session.count = count
  res.type('text').send(String(count))
})
app.get(UNTOUCHED_PATH, (_req, res) => {
  res.type('text').send('ok')
})

const server = app.listen(port(), '127.0.0.1', () => announce(server.address(), { sessions }))
