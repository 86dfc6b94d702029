import { PGlite } from '@electric-sql/pglite'
import { SessionConfigError, generateSessionId } from '@fetch-session/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { migrationSql } from './migration-sql.ts'
import { PostgresStore } from './postgres-store.ts'

describe('new PostgresStore({ table })', () => {
  let db: PGlite | undefined

  beforeAll(async () => {
    db = await PGlite.create()
    await db.query('CREATE SCHEMA app')
  }, 60_000)
  afterAll(async () => {
    await db?.close()
  })

  it.each([
    ['an empty name', ''],
    ['a quote breaking out of the identifier', 'x"; DROP TABLE fetch_session; --'],
    ['a statement after a semicolon', 'sessions; DROP TABLE users'],
    ['a comment', 'sessions--'],
    ['a space', 'my sessions'],
    ['a hyphen', 'my-sessions'],
    ['a leading digit', '1sessions'],
    ['a dollar sign, which would end the migration block', 'a$migrate$b'],
    ['three parts', 'db.app.sessions'],
    ['an empty schema', '.sessions'],
    ['an empty table', 'app.'],
    ['a letter outside ASCII', 'séances'],
    ['a table part past 48 characters', 'a'.repeat(49)],
    ['a schema past 63 characters', `${'s'.repeat(64)}.sessions`],
    ['a number', 42],
    ['null', null],
  ])('refuses %s with a SessionConfigError', (_, table) => {
    const options = { client: db!, table } as unknown as ConstructorParameters<
      typeof PostgresStore
    >[0]
    expect(() => new PostgresStore(options)).toThrow(SessionConfigError)
    expect(() => migrationSql(table as string)).toThrow(SessionConfigError)
  })

  it('refuses a client without a query method', () => {
    const options = { client: {} } as unknown as ConstructorParameters<typeof PostgresStore>[0]
    expect(() => new PostgresStore(options)).toThrow(SessionConfigError)
    expect(() => new PostgresStore(undefined as never)).toThrow(SessionConfigError)
  })

  it.each([
    ['a reserved word', 'user'],
    ['mixed case, kept as given', 'Web_Sessions'],
    ['a schema-qualified name', 'app.select'],
    ['48 characters', 's'.repeat(48)],
  ])('takes %s, quoted, and stores sessions in it', async (_, table) => {
    const store = new PostgresStore({ client: db!, table })
    await store.migrate()
    const id = generateSessionId()
    const version = await store.write(
      id,
      { record: table, expiresAt: Date.now() + 60_000, userId: null },
      null,
    )
    expect(await store.read(id)).toEqual({ record: table, version })
    const [schema, name] = table.includes('.') ? table.split('.') : ['public', table]
    const { rows } = await db!.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = $1 AND tablename = $2',
      [schema, name],
    )
    expect(rows[0]?.n).toBe(1)
  })
})
