/** A value `PostgresStore` passes as a query parameter: ids, records, versions and times. */
export type SqlValue = string | number | null

/** What a query resolves to; only `rows` is read. */
export interface SqlResult {
  /** The rows returned, one object per row keyed by column name. */
  rows: unknown[]
}

/**
 * The one method `PostgresStore` calls on its database client, with `$1`-style placeholders.
 * A `pg` Pool or Client and a PGlite instance have it as they are. For postgres.js:
 * `{ query: async (text, values) => ({ rows: await sql.unsafe(text, values) }) }`.
 */
export interface SqlClient {
  /**
   * Runs one SQL statement.
   * @param text the statement, with `$1`, `$2`… for the values
   * @param values the values of the placeholders, in order
   * @returns the rows the statement returned
   */
  query(text: string, values: SqlValue[]): PromiseLike<SqlResult>
}
