import { DEFAULT_TABLE, parseTableName } from './table-name.ts'

/**
 * The SQL creating the session table and its indexes if they are absent, for migration tools
 * (`PostgresStore.migrate()` runs the same statements). Running it again changes nothing.
 *
 * The table: `id` (the session id, primary key), `record` (the core's serialized session),
 * `version` (bigint, changed by every write, for compare-and-set), `user_id` (the bound user or
 * null, indexed) and `expires_at` (timestamptz, indexed, for reads and `sweep()`).
 * @param table the table's name, optionally `schema.table`; the schema must exist. Default:
 *   `fetch_session`
 * @returns the statements, separated by semicolons
 * @throws SessionConfigError for a name that is not a plain identifier
 */
export function migrationSql(table: string = DEFAULT_TABLE): string {
  const name = parseTableName(table)
  // Ids are ASCII: the "C" collation compares them as bytes, the fastest for the primary key.
  // The user index skips anonymous sessions, which have no user.
  return `CREATE TABLE IF NOT EXISTS ${name.sql} (
  id text COLLATE "C" PRIMARY KEY,
  record text NOT NULL,
  version bigint NOT NULL,
  user_id text,
  expires_at timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS ${name.index('user_id_idx')} ON ${name.sql} (user_id)
  WHERE user_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS ${name.index('expires_at_idx')} ON ${name.sql} (expires_at);
`
}
