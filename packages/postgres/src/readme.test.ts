// The README shows the table's SQL and the postgres.js adapter line: both must be what the
// package runs.
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { migrationSql } from './migration-sql.ts'

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')
const clients = readFileSync(new URL('./test-support/clients.ts', import.meta.url), 'utf8')

describe('README', () => {
  it('shows the SQL that migrationSql() returns for the default table', () => {
    const block = /## The table[\s\S]*?```sql\n([\s\S]*?)```/.exec(readme)?.[1]
    expect(block).toBe(migrationSql())
  })

  it('shows the postgres.js adapter that the tests run', () => {
    const adapter = 'query: async (text, values) => ({ rows: await sql.unsafe(text, values) }),'
    expect(readme).toContain(adapter)
    expect(clients).toContain(adapter)
  })
})
