import { generateSessionId } from '@fetch-session/core'
import type pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PostgresStore } from './postgres-store.ts'
import type { SqlClient } from './sql-client.ts'
import { makePool } from './test-support/clients.ts'
import { skipWithoutPostgres, startPostgres } from './test-support/postgres-server.ts'
import type { PostgresServer } from './test-support/postgres-server.ts'

const skip = skipWithoutPostgres('sweep.test.ts')

describe.skipIf(skip)('store.sweep()', () => {
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

  // The pool, with a count of the sweep's DELETE statements that reach it.
  const counting = () => {
    const client = {
      deletes: 0,
      query: (text: string, values: unknown[]) => {
        if (text.startsWith('WITH gone AS (DELETE')) client.deletes++
        return pool!.query(text, values)
      },
    }
    return client satisfies SqlClient
  }

  const fill = async (table: string, expired: number) => {
    // Expired rows in bulk, as a backlog of sessions nobody came back for would be.
    await pool!.query(
      `INSERT INTO ${table} (id, record, version, user_id, expires_at) ` +
        "SELECT 'expired-' || n, 'gone', 1, NULL, now() - interval '1 minute' " +
        'FROM generate_series(1, $1) AS n',
      [expired],
    )
  }

  it('deletes every expired row in batches, and no live one', async () => {
    const client = counting()
    const store = new PostgresStore({ client, table: 'swept' })
    await store.migrate()
    await fill('swept', 2_500)
    const live = Array.from({ length: 10 }, () => generateSessionId())
    for (const id of live) {
      await store.write(id, { record: id, expiresAt: Date.now() + 60_000, userId: 'u' }, null)
    }

    expect(await store.sweep({ batchSize: 1_000 })).toBe(2_500)
    expect(client.deletes).toBe(3)
    const { rows } = await pool!.query('SELECT id FROM swept ORDER BY id')
    expect(rows.map((row) => row.id)).toEqual([...live].sort())
    for (const id of live) expect((await store.read(id))?.record).toBe(id)
    expect(await store.sweep()).toBe(0)
  })

  it('shares the work when two instances sweep at once', async () => {
    const stores = [1, 2].map(() => new PostgresStore({ client: pool!, table: 'swept_twice' }))
    await stores[0]!.migrate()
    await fill('swept_twice', 3_000)
    const counts = await Promise.all(stores.map((store) => store.sweep({ batchSize: 200 })))
    expect(counts[0]! + counts[1]!).toBe(3_000)
    const { rows } = await pool!.query('SELECT count(*)::int AS n FROM swept_twice')
    expect(rows).toEqual([{ n: 0 }])
  })

  it('refuses a batch size that is not a positive integer', async () => {
    const store = new PostgresStore({ client: pool!, table: 'swept' })
    await expect(store.sweep({ batchSize: 0 })).rejects.toThrow(RangeError)
    await expect(store.sweep({ batchSize: 1.5 })).rejects.toThrow(RangeError)
  })
})
