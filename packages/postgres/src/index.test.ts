import type { PGlite } from '@electric-sql/pglite'
import type { VersionedSessionStore } from '@fetch-session/core'
import type pg from 'pg'
import { describe, expect, expectTypeOf, it } from 'vitest'
import * as postgres from './index.ts'
import type { SqlClient } from './index.ts'

describe('@fetch-session/postgres exports', () => {
  it('has exactly the public API', () => {
    expect(Object.keys(postgres).sort()).toMatchInlineSnapshot(`
      [
        "PostgresStore",
        "migrationSql",
      ]
    `)
  })
})

describe('types', () => {
  it('takes a pg Pool, a pg Client and PGlite as SQL clients as they are', () => {
    expectTypeOf<pg.Pool>().toExtend<SqlClient>()
    expectTypeOf<pg.Client>().toExtend<SqlClient>()
    expectTypeOf<PGlite>().toExtend<SqlClient>()
  })

  it('is a version 2 store with a user index', () => {
    expectTypeOf<postgres.PostgresStore>().toExtend<Required<VersionedSessionStore>>()
  })
})
