import { generateSessionId } from '@fetch-session/core'
import type { SessionVersion } from '@fetch-session/core'
import type pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PostgresStore } from './postgres-store.ts'
import { makePool } from './test-support/clients.ts'
import { skipWithoutPostgres, startPostgres } from './test-support/postgres-server.ts'
import type { PostgresServer } from './test-support/postgres-server.ts'

const skip = skipWithoutPostgres('concurrency.test.ts')
const later = () => Date.now() + 60_000

// One request's read-modify-write of a counter, retried on conflict as the core does.
async function increment(store: PostgresStore, id: string): Promise<SessionVersion | null> {
  for (;;) {
    const stored = await store.read(id)
    if (stored === null) return null
    const count = (JSON.parse(stored.record) as { count: number }).count
    const record = JSON.stringify({ count: count + 1 })
    const version = await store.write(
      id,
      { record, expiresAt: later(), userId: null },
      stored.version,
    )
    if (version !== null) return version
    await new Promise((resolve) => setTimeout(resolve, Math.random() * 5))
  }
}

describe.skipIf(skip)('PostgresStore under concurrent requests', () => {
  let server: PostgresServer | undefined
  const pools: pg.Pool[] = []
  const store = (pool: pg.Pool) => new PostgresStore({ client: pool, table: 'concurrent' })

  beforeAll(async () => {
    server = await startPostgres()
    pools.push(makePool(server, { max: 5 }), makePool(server, { max: 5 }))
    await store(pools[0]!).migrate()
  }, 60_000)
  afterAll(async () => {
    await Promise.all(pools.map((pool) => pool.end()))
    await server?.close()
  })

  const create = async (target: PostgresStore) => {
    const id = generateSessionId()
    const record = JSON.stringify({ count: 0 })
    await target.write(id, { record, expiresAt: later(), userId: null }, null)
    return id
  }

  it('lands all of 20 compare-and-set loops run at once on a Pool of 5', async () => {
    const shared = store(pools[0]!)
    const id = await create(shared)
    const versions = await Promise.all(Array.from({ length: 20 }, () => increment(shared, id)))
    expect(JSON.parse((await shared.read(id))!.record)).toEqual({ count: 20 })
    // Each write landed on its own version: none overwrote another.
    expect(new Set(versions).size).toBe(20)
  })

  it('lands all of 20 loops split across two instances with a Pool each', async () => {
    const [a, b] = [store(pools[0]!), store(pools[1]!)]
    const id = await create(a)
    await Promise.all(Array.from({ length: 20 }, (_, i) => increment(i % 2 ? a : b, id)))
    expect(JSON.parse((await b.read(id))!.record)).toEqual({ count: 20 })
  })

  it('gives a new id to exactly one of 20 creates at once', async () => {
    const [a, b] = [store(pools[0]!), store(pools[1]!)]
    const id = generateSessionId()
    const versions = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        (i % 2 ? a : b).write(id, { record: `${i}`, expiresAt: later(), userId: null }, null),
      ),
    )
    const winners = versions.flatMap((version, i) => (version === null ? [] : [i]))
    expect(winners).toHaveLength(1)
    expect(await a.read(id)).toEqual({ record: `${winners[0]}`, version: versions[winners[0]!] })
  })

  it('keeps a removed record removed while writes are in flight', async () => {
    const [a, b] = [store(pools[0]!), store(pools[1]!)]
    const id = await create(a)
    const writers = Array.from({ length: 10 }, (_, i) => increment(i % 2 ? a : b, id))
    const removed = b.remove(id)
    await Promise.all(writers)
    expect(await removed).toBe(true)
    expect(await a.read(id)).toBeNull()
    const { rows } = await pools[0]!.query(
      'SELECT count(*)::int AS n FROM concurrent WHERE id = $1',
      [id],
    )
    expect(rows).toEqual([{ n: 0 }])
  })
})
