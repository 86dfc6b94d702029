import { generateSessionId } from '@fetch-session/core'
import type pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { migrationSql } from './migration-sql.ts'
import { PostgresStore } from './postgres-store.ts'
import { makePool } from './test-support/clients.ts'
import { skipWithoutPostgres, startPostgres } from './test-support/postgres-server.ts'
import type { PostgresServer } from './test-support/postgres-server.ts'

const skip = skipWithoutPostgres('migrate.test.ts')
const later = () => Date.now() + 60_000

describe.skipIf(skip)('store.migrate()', () => {
  let server: PostgresServer | undefined
  let pool: pg.Pool | undefined

  beforeAll(async () => {
    server = await startPostgres()
    pool = makePool(server, { max: 8 })
  }, 60_000)
  afterAll(async () => {
    await pool?.end()
    await server?.close()
  })

  const columns = async (table: string) => {
    const { rows } = await pool!.query<{ column_name: string; data_type: string }>(
      'SELECT column_name, data_type FROM information_schema.columns ' +
        'WHERE table_name = $1 ORDER BY ordinal_position',
      [table],
    )
    return rows.map((row) => `${row.column_name} ${row.data_type}`)
  }
  const indexes = async (table: string) => {
    const { rows } = await pool!.query<{ indexname: string }>(
      'SELECT indexname FROM pg_indexes WHERE tablename = $1 ORDER BY indexname',
      [table],
    )
    return rows.map((row) => row.indexname)
  }

  it('creates the table with its indexes, and running it again keeps the sessions', async () => {
    const store = new PostgresStore({ client: pool!, table: 'migrated_twice' })
    await store.migrate()
    expect(await columns('migrated_twice')).toEqual([
      'id text',
      'record text',
      'version bigint',
      'user_id text',
      'expires_at timestamp with time zone',
    ])
    expect(await indexes('migrated_twice')).toEqual([
      'migrated_twice_expires_at_idx',
      'migrated_twice_pkey',
      'migrated_twice_user_id_idx',
    ])
    const id = generateSessionId()
    const version = await store.write(id, { record: 'kept', expiresAt: later(), userId: 'u' }, null)
    await store.migrate()
    await new PostgresStore({ client: pool!, table: 'migrated_twice' }).migrate()
    expect(await store.read(id)).toEqual({ record: 'kept', version })
    expect(await store.listByUser('u')).toHaveLength(1)
  })

  it('succeeds on every instance when eight migrate a new table at once', async () => {
    for (let round = 0; round < 5; round++) {
      const table = `migrated_at_once_${round}`
      const stores = Array.from({ length: 8 }, () => new PostgresStore({ client: pool!, table }))
      // The Pool opens a connection per pending query, so the eight statements really race.
      const results = await Promise.allSettled(stores.map((store) => store.migrate()))
      expect(results.filter((result) => result.status === 'rejected')).toEqual([])
      expect(await indexes(table)).toHaveLength(3)
    }
  })

  it('creates the table in the schema named', async () => {
    await pool!.query('CREATE SCHEMA IF NOT EXISTS auth')
    const store = new PostgresStore({ client: pool!, table: 'auth.web_sessions' })
    await store.migrate()
    const { rows } = await pool!.query(
      "SELECT schemaname, indexname FROM pg_indexes WHERE tablename = 'web_sessions' " +
        'ORDER BY indexname',
    )
    expect(rows).toEqual([
      { schemaname: 'auth', indexname: 'web_sessions_expires_at_idx' },
      { schemaname: 'auth', indexname: 'web_sessions_pkey' },
      { schemaname: 'auth', indexname: 'web_sessions_user_id_idx' },
    ])
    const id = generateSessionId()
    await store.write(id, { record: 'in auth', expiresAt: later(), userId: null }, null)
    expect((await store.read(id))?.record).toBe('in auth')
  })
})

describe.skipIf(skip)('migrationSql()', () => {
  let server: PostgresServer | undefined
  let pool: pg.Pool | undefined

  beforeAll(async () => {
    server = await startPostgres()
    pool = makePool(server)
  }, 60_000)
  afterAll(async () => {
    await pool?.end()
    await server?.close()
  })

  it('is SQL a migration tool can run, in a transaction, for the table the store uses', async () => {
    const sql = migrationSql('tool_made')
    expect(sql).toContain('CREATE TABLE IF NOT EXISTS "tool_made"')
    await pool!.query(`BEGIN; ${sql} COMMIT;`)
    await pool!.query(`BEGIN; ${sql} COMMIT;`)
    const store = new PostgresStore({ client: pool!, table: 'tool_made' })
    await store.migrate()
    const id = generateSessionId()
    const version = await store.write(id, { record: 'r', expiresAt: later(), userId: null }, null)
    expect(await store.read(id)).toEqual({ record: 'r', version })
  })

  it('names the default table fetch_session', async () => {
    await pool!.query(migrationSql())
    const store = new PostgresStore({ client: pool! })
    const id = generateSessionId()
    await store.write(id, { record: 'default', expiresAt: later(), userId: null }, null)
    const { rows } = await pool!.query('SELECT record FROM fetch_session WHERE id = $1', [id])
    expect(rows).toEqual([{ record: 'default' }])
  })
})
