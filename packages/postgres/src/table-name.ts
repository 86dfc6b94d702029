import { SessionConfigError } from '@fetch-session/core'

/** The table `PostgresStore` uses when none is named. */
export const DEFAULT_TABLE = 'fetch_session'

// A table name, optionally qualified by its schema: plain SQL identifiers only, so that nothing
// given as an option can carry SQL. PostgreSQL keeps 63 bytes of an identifier
// (NAMEDATALEN - 1); the table part stops at 48 so that its index names, the table's name with
// `_expires_at_idx` appended, still fit and never collide by truncation.
// https://www.postgresql.org/docs/current/sql-syntax-lexical.html#SQL-SYNTAX-IDENTIFIERS
const TABLE_NAME = /^(?:([A-Za-z_][A-Za-z0-9_]{0,62})\.)?([A-Za-z_][A-Za-z0-9_]{0,47})$/

/** A validated table name, ready to be written into SQL. */
export interface TableName {
  /** The table as SQL: each part double-quoted, for example `"app"."fetch_session"`. */
  readonly sql: string
  /** The name of one of its indexes as SQL, quoted (indexes live in the table's schema). */
  index(suffix: string): string
}

/**
 * Checks a table name given as an option and quotes it.
 * @param name `table` or `schema.table`, each part letters, digits and underscores, not starting
 *   with a digit
 * @returns the quoted forms used in SQL
 * @throws SessionConfigError for anything else
 */
export function parseTableName(name: unknown): TableName {
  const match = typeof name === 'string' ? TABLE_NAME.exec(name) : null
  if (match === null) {
    throw new SessionConfigError(
      'PostgresStore `table` must be a table name, optionally schema-qualified (`schema.table`): ' +
        'letters, digits and underscores, not starting with a digit, at most 48 characters for ' +
        'the table and 63 for the schema',
    )
  }
  const [, schema, table] = match as unknown as [string, string | undefined, string]
  // Quoted, so that a reserved word (`user`) works and the case given is the case used.
  return {
    sql: schema === undefined ? `"${table}"` : `"${schema}"."${table}"`,
    index: (suffix) => `"${table}_${suffix}"`,
  }
}
