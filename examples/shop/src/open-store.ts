import { MemoryStore } from '@fetch-session/core'
import type { SessionStore, VersionedSessionStore } from '@fetch-session/core'
import { FileStore } from '@fetch-session/node'
import type { ShopConfig } from './config.ts'

/** A session store ready for the shop, with what the server says and does about it. */
export interface OpenedStore {
  /** The store, for `createShopApp`. */
  store: SessionStore | VersionedSessionStore
  /** How the session panel names it. */
  label: string
  /** What the server prints at start: where sessions are kept (never a password). */
  where: string
  /** Deletes expired sessions, for an hourly timer; `undefined` for a store that needs none. */
  sweep: (() => Promise<unknown>) | undefined
  /** Releases what the store holds open (database connections). */
  close(): Promise<void>
}

/**
 * Opens the store `SESSION_STORE` names. A database store is connected and its table created
 * if absent, so that a database the shop cannot use stops it at start rather than at the first
 * request. Its driver is loaded only when chosen.
 * @param config the settings from `readConfig`
 * @returns the store
 * @throws Error when the database cannot be reached or its table cannot be created; the
 *   message is safe to print (no URL, no password)
 */
export async function openStore(config: ShopConfig): Promise<OpenedStore> {
  if (config.store === 'memory') {
    return {
      store: new MemoryStore(),
      label: 'MemoryStore: sessions are lost when the server stops',
      where: 'Sessions are kept in memory: a restart forgets them.',
      sweep: undefined,
      close: async () => {},
    }
  }
  if (config.store === 'redis') return openRedis(config.redisUrl!)
  if (config.store === 'postgres') return openPostgres(config.databaseUrl!)
  const store = new FileStore({ directory: config.directory })
  return {
    store,
    label: 'FileStore: sessions survive a restart of the server',
    where:
      `Sessions are kept in ${store.directory} ` +
      '(SESSION_STORE=memory keeps them in memory, redis in Redis, postgres in PostgreSQL).',
    sweep: () => store.sweep(),
    close: async () => {},
  }
}

async function openRedis(url: string): Promise<OpenedStore> {
  const [{ createClient }, { RedisStore }] = await Promise.all([
    import('redis'),
    import('@fetch-session/redis'),
  ])
  let started = false
  const client = createClient({
    url,
    // A server that is not there at start stops the shop; one lost later is reconnected to,
    // every 2 s at most, and the next request after it is back works.
    socket: {
      reconnectStrategy: (retries: number, cause: Error) =>
        started ? Math.min(retries * 100, 2_000) : cause,
    },
  })
  // node-redis reports a lost connection as an event; unheard, it ends Node.
  client.on('error', (error: Error) => console.error(`Redis: ${error.message}`))
  await client.connect()
  started = true
  return {
    store: new RedisStore({ client, prefix: 'shop:session:' }),
    label: 'RedisStore: sessions in Redis, shared by every instance',
    where: 'Sessions are kept in Redis (REDIS_URL), under keys that start with shop:session:.',
    // Redis drops expired sessions itself.
    sweep: undefined,
    close: () => client.close(),
  }
}

async function openPostgres(connectionString: string): Promise<OpenedStore> {
  const [{ default: pg }, { PostgresStore }] = await Promise.all([
    import('pg'),
    import('@fetch-session/postgres'),
  ])
  const pool = new pg.Pool({
    connectionString,
    // A database that is down or stuck fails a request with a 500 instead of holding it.
    connectionTimeoutMillis: 2_000,
    query_timeout: 4_000,
  })
  // An idle connection the server closes (a restart) is reported here; unheard, it ends Node.
  pool.on('error', (error) => console.error(`A database connection closed: ${error.message}`))
  const store = new PostgresStore({ client: pool })
  try {
    await store.migrate()
  } catch (error) {
    await pool.end()
    throw error
  }
  return {
    store,
    label: 'PostgresStore: sessions in a database table, shared by every instance',
    where: 'Sessions are kept in PostgreSQL (DATABASE_URL), in the table fetch_session.',
    sweep: () => store.sweep(),
    close: () => pool.end(),
  }
}
