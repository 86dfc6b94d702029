import { inspect } from 'node:util'
import { PGlite } from '@electric-sql/pglite'
import { SessionStoreError, createSessions, generateSessionId } from '@fetch-session/core'
import { createTestClient } from '@fetch-session/testing'
import type pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PostgresStore } from './postgres-store.ts'
import { makePool } from './test-support/clients.ts'
import { skipWithoutPostgres, startPostgres } from './test-support/postgres-server.ts'
import type { PostgresServer } from './test-support/postgres-server.ts'

const skip = skipWithoutPostgres('faults.test.ts')
const later = () => Date.now() + 60_000
const SECRET = 'the secret of the postgres fault tests: thirty-two characters or more'

// Everything an error shows when logged: message, stack, own properties and its causes.
const shown = (error: unknown) => inspect(error, { depth: 5 }) + JSON.stringify(error)

async function failure(promise: Promise<unknown>): Promise<Error & { code?: string }> {
  try {
    await promise
  } catch (error) {
    return error as Error & { code?: string }
  }
  throw new Error('expected the operation to fail')
}

describe.skipIf(skip)('PostgresStore when the database fails', () => {
  let server: PostgresServer | undefined
  const pools: pg.Pool[] = []
  const pool = (config: pg.PoolConfig) => {
    const made = makePool(server!, config)
    pools.push(made)
    return made
  }

  beforeAll(async () => {
    server = await startPostgres()
    await new PostgresStore({ client: pool({ max: 1 }) }).migrate()
  }, 60_000)
  afterAll(async () => {
    await Promise.all(pools.map((made) => made.end().catch(() => {})))
    await server?.close()
  })

  it('fails while the server is stopped, without the id, and works again once it is back', async () => {
    const store = new PostgresStore({ client: pool({ max: 3, connectionTimeoutMillis: 2_000 }) })
    const id = generateSessionId()
    const version = await store.write(
      id,
      { record: 'survives', expiresAt: later(), userId: null },
      null,
    )
    await server!.stop()
    try {
      const read = await failure(store.read(id))
      expect(read.message).toMatch(/^PostgresStore could not read a session \(/)
      expect(shown(read)).not.toContain(id)
      const write = await failure(
        store.write(id, { record: 'lost', expiresAt: later(), userId: null }, version),
      )
      expect(write.message).toMatch(/^PostgresStore could not write a session \(/)
    } finally {
      await server!.start()
    }
    expect(await store.read(id)).toEqual({ record: 'survives', version })
  }, 60_000)

  it('fails within connectionTimeoutMillis when the pool is exhausted, then recovers', async () => {
    const busy = pool({ max: 2, connectionTimeoutMillis: 300 })
    const store = new PostgresStore({ client: busy })
    const held = [await busy.connect(), await busy.connect()]
    try {
      const error = await failure(store.read(generateSessionId()))
      expect(error.message).toBe(
        'PostgresStore could not read a session (timeout exceeded when trying to connect)',
      )
    } finally {
      for (const client of held) client.release()
    }
    expect(await store.read(generateSessionId())).toBeNull()
  }, 30_000)

  it('fails within query_timeout when the server stops answering', async () => {
    const hung = pool({ max: 1, query_timeout: 500 })
    const store = new PostgresStore({ client: hung })
    const { rows } = await hung.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')
    const pid = rows[0]!.pid
    process.kill(pid, 'SIGSTOP')
    try {
      const error = await failure(store.read(generateSessionId()))
      expect(error.message).toBe('PostgresStore could not read a session (Query read timeout)')
    } finally {
      process.kill(pid, 'SIGCONT')
    }
    expect(await store.read(generateSessionId())).toBeNull()
  }, 30_000)

  it('fails a request through sessions.wrap() with a SessionStoreError naming no id', async () => {
    const busy = pool({ max: 2, connectionTimeoutMillis: 300 })
    const sessions = createSessions({ secrets: SECRET, store: new PostgresStore({ client: busy }) })
    const handler = sessions.wrap(async (request: Request) => {
      const session = await sessions.load(request)
      session.update('visits', (visits = 0) => Number(visits) + 1)
      return new Response('ok')
    })
    const client = createTestClient(handler)
    expect((await client.get('/')).status).toBe(200)
    const cookie = client.cookies[0]!
    const held = [await busy.connect(), await busy.connect()]
    try {
      const error = await failure(client.get('/'))
      expect(error).toBeInstanceOf(SessionStoreError)
      expect(shown(error)).toContain('timeout exceeded when trying to connect')
      expect(shown(error)).not.toContain(cookie.value.split('.')[0])
    } finally {
      for (const connection of held) connection.release()
    }
    expect((await client.get('/')).status).toBe(200)
    expect((await client.session(sessions)).get('visits')).toBe(2)
  }, 30_000)

  it('keeps neither the id nor the record from a database error that carries them', async () => {
    const client = pool({ max: 1 })
    const store = new PostgresStore({ client, table: 'checked' })
    await store.migrate()
    // A constraint of the application's own: its violation reports the failing row in `detail`.
    await client.query('ALTER TABLE checked ADD CONSTRAINT short CHECK (length(record) < 20)')
    const id = generateSessionId()
    const record = JSON.stringify({ secret: 'the card number 4111 1111 1111 1111' })
    const error = await failure(
      store.write(id, { record, expiresAt: later(), userId: 'u-7' }, null),
    )
    expect(error.message).toBe('PostgresStore could not write a session (23514)')
    expect(error.code).toBe('23514')
    expect(shown(error)).not.toContain(id)
    expect(shown(error)).not.toContain('4111')
    expect(shown(error)).not.toContain('u-7')
  })

  it('says which table is missing when migrate() was never run', async () => {
    const store = new PostgresStore({ client: pool({ max: 1 }), table: 'never_migrated' })
    const error = await failure(store.read(generateSessionId()))
    expect(error.message).toBe(
      'PostgresStore could not read a session (42P01: relation "never_migrated" does not exist)',
    )
  })
})

describe('PostgresStore when PGlite is closed', () => {
  it('fails with an error naming the operation', async () => {
    const db = await PGlite.create()
    const store = new PostgresStore({ client: db })
    await store.migrate()
    await db.close()
    const error = await failure(store.read(generateSessionId()))
    expect(error.message).toBe('PostgresStore could not read a session (PGlite is closed)')
  }, 60_000)
})
