import { SessionConfigError, generateSessionId } from '@fetch-session/core'
import type { SessionWrite } from '@fetch-session/core'
import { describeStore } from '@fetch-session/testing'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PostgresStore } from './postgres-store.ts'
import type { PostgresStoreOptions } from './postgres-store.ts'
import { pgliteStore, poolStore, postgresJsStore } from './test-support/clients.ts'
import type { StoreFixture } from './test-support/clients.ts'
import { skipWithoutPostgres, startPostgres } from './test-support/postgres-server.ts'
import type { PostgresServer } from './test-support/postgres-server.ts'

const skip = skipWithoutPostgres('postgres-store.test.ts')
let server: PostgresServer | undefined

beforeAll(async () => {
  if (!skip) server = await startPostgres()
}, 60_000)
afterAll(async () => {
  await server?.close()
})

const live = (record: string, userId: string | null = null): SessionWrite => ({
  record,
  expiresAt: Date.now() + 60 * 60 * 1000,
  userId,
})

const clients: [string, () => Promise<StoreFixture>, boolean][] = [
  ['a pg Pool', () => poolStore(server!), skip],
  ['postgres.js through the adapter', () => postgresJsStore(server!), skip],
  ['PGlite in process', () => pgliteStore(), false],
]

for (const [label, open, skipped] of clients) {
  describe.skipIf(skipped)(`PostgresStore over ${label}`, () => {
    let fixture: StoreFixture | undefined
    const store = () => fixture!.store

    beforeAll(async () => {
      fixture = await open()
    }, 60_000)
    afterAll(async () => {
      await fixture?.close()
    })

    describeStore(`PostgresStore over ${label}`, store, { versioned: true, userIndex: true })

    describe('store.read() and store.remove()', () => {
      it('send nothing that is not a session id to the database', async () => {
        expect(await store().read("' OR 1=1 --")).toBeNull()
        expect(await store().remove("' OR 1=1 --")).toBe(false)
      })
    })

    describe('store.write()', () => {
      it('refuses an id that is not a session id, and records it cannot keep', async () => {
        await expect(store().write('../etc/passwd', live('x'), null)).rejects.toThrow(TypeError)
        const id = generateSessionId()
        await expect(store().write(id, live('nul \0 inside'), null)).rejects.toThrow(TypeError)
        await expect(store().write(id, live('x', 'nul \0 user'), null)).rejects.toThrow(TypeError)
        const infinite = { record: 'x', expiresAt: Number.POSITIVE_INFINITY, userId: null }
        await expect(store().write(id, infinite, null)).rejects.toThrow(TypeError)
        expect(await store().read(id)).toBeNull()
      })

      it('takes back a version as a string, as it would come from JSON or another client', async () => {
        const id = generateSessionId()
        const v1 = await store().write(id, live('one'), null)
        const v2 = await store().write(id, live('two'), String(v1))
        expect(v2).not.toBeNull()
        expect(await store().read(id)).toEqual({ record: 'two', version: v2 })
      })

      it('finds no record at a version it cannot have given', async () => {
        const id = generateSessionId()
        await store().write(id, live('kept'), null)
        for (const version of ['1; DROP TABLE fetch_session', 1.5, Number.NaN, '']) {
          expect(await store().write(id, live('no'), version)).toBeNull()
          expect(await store().remove(id, version)).toBe(false)
        }
        expect((await store().read(id))?.record).toBe('kept')
      })

      it('does not match a version from before a removal to a record created later', async () => {
        const id = generateSessionId()
        const before = await store().write(id, live('before'), null)
        await store().remove(id)
        await store().write(id, live('after'), null)
        expect(await store().write(id, live('stale'), before)).toBeNull()
        expect((await store().read(id))?.record).toBe('after')
      })

      it('keeps SQL in records and user ids as data', async () => {
        const id = generateSessionId()
        const user = `'); DELETE FROM fetch_session; -- ${generateSessionId()}`
        const record = "'; DROP TABLE fetch_session; --"
        const version = await store().write(id, live(record, user), null)
        expect(await store().listByUser(user)).toEqual([{ id, record, version }])
      })
    })
  })
}

describe.skipIf(skip)('PostgresStore on pg: named statements', () => {
  let client: pg.Client
  beforeAll(async () => {
    client = new pg.Client(server!.connection)
    await client.connect()
    await new PostgresStore({ client, prepare: false }).migrate()
  })
  afterAll(async () => {
    await client?.end()
  })

  const prepared = async () => {
    const result = await client.query<{ name: string }>(
      'SELECT name FROM pg_prepared_statements ORDER BY name',
    )
    return result.rows.map((row) => row.name.replace(/_[0-9a-z]+$/, ''))
  }
  const exercise = async (store: PostgresStore) => {
    const id = generateSessionId()
    const version = await store.write(id, live('one', 'named'), null)
    await store.write(id, live('two', 'named'), version)
    expect((await store.read(id))?.record).toBe('two')
    expect(await store.listByUser('named')).toHaveLength(1)
    expect(await store.remove(id)).toBe(true)
  }

  it('prepares each statement once per connection by default, and not when told', async () => {
    await exercise(new PostgresStore({ client, prepare: false }))
    expect(await prepared()).toEqual([])
    const store = new PostgresStore({ client })
    await exercise(store)
    await exercise(store)
    expect(await prepared()).toEqual([
      'fetch_session_create',
      'fetch_session_list',
      'fetch_session_read',
      'fetch_session_remove',
      'fetch_session_update',
    ])
  })

  it('keeps the statements of stores of different tables apart on one connection', async () => {
    const other = new PostgresStore({ client, table: 'fetch_session_named' })
    // Before the table exists the statement cannot be prepared; once it does, it can.
    await expect(other.read(generateSessionId())).rejects.toThrow(/could not read a session/)
    await other.migrate()
    await exercise(other)
    await exercise(new PostgresStore({ client }))
    expect((await prepared()).filter((name) => name === 'fetch_session_read')).toHaveLength(2)
  })

  it('refuses a `prepare` that is not a boolean', () => {
    const options = { client, prepare: 'yes' } as unknown as PostgresStoreOptions
    expect(() => new PostgresStore(options)).toThrow(SessionConfigError)
  })
})
