// The three kinds of client a PostgresStore runs on in the tests: a pg Pool, postgres.js through
// the adapter line of the README, and PGlite in process.
import { PGlite } from '@electric-sql/pglite'
import pg from 'pg'
import postgres from 'postgres'
import { PostgresStore } from '../postgres-store.ts'
import type { SqlClient } from '../sql-client.ts'
import type { PostgresServer } from './postgres-server.ts'

/** A store with a way to release what it holds. */
export interface StoreFixture {
  store: PostgresStore
  close(): Promise<void>
}

/**
 * A pg Pool on the test server, with bounded waits as the README recommends.
 * @param server the running test server
 * @param config further Pool settings
 */
export function makePool(server: PostgresServer, config: pg.PoolConfig = {}): pg.Pool {
  const pool = new pg.Pool({
    ...server.connection,
    connectionTimeoutMillis: 5_000,
    query_timeout: 10_000,
    ...config,
  })
  // Idle connections that the server ends (a stopped server) report here; without a listener
  // the Pool would throw from an event.
  pool.on('error', () => {})
  return pool
}

/**
 * A migrated store on a pg Pool.
 * @param server the running test server
 * @param table the store's table
 */
export async function poolStore(server: PostgresServer, table?: string): Promise<StoreFixture> {
  const pool = makePool(server)
  const store = new PostgresStore(table === undefined ? { client: pool } : { client: pool, table })
  await store.migrate()
  return { store, close: () => pool.end() }
}

/**
 * A migrated store on postgres.js, through the one-line adapter of the README.
 * @param server the running test server
 * @param table the store's table
 */
export async function postgresJsStore(
  server: PostgresServer,
  table?: string,
): Promise<StoreFixture> {
  const sql = postgres(server.url, { max: 5, onnotice: () => {}, connect_timeout: 5 })
  const client: SqlClient = {
    query: async (text, values) => ({ rows: await sql.unsafe(text, values) }),
  }
  const store = new PostgresStore(table === undefined ? { client } : { client, table })
  await store.migrate()
  return { store, close: () => sql.end({ timeout: 5 }) }
}

/**
 * A migrated store on PGlite, in process and in memory.
 * @param table the store's table
 */
export async function pgliteStore(table?: string): Promise<StoreFixture> {
  const db = await PGlite.create()
  const store = new PostgresStore(table === undefined ? { client: db } : { client: db, table })
  await store.migrate()
  return { store, close: () => db.close() }
}
