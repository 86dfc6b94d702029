import { SessionConfigError, isSessionId } from '@fetch-session/core'
import type {
  SessionVersion,
  SessionWrite,
  StoredSession,
  UserSession,
  VersionedSessionStore,
} from '@fetch-session/core'
import { migrationSql } from './migration-sql.ts'
import type { SqlClient, SqlResult, SqlValue } from './sql-client.ts'
import { storeError } from './store-error.ts'
import type { StoreOperation } from './store-error.ts'
import { DEFAULT_TABLE, parseTableName } from './table-name.ts'

/** Options of `PostgresStore`. */
export interface PostgresStoreOptions {
  /**
   * The database client: a `pg` Pool (or Client), a PGlite instance, or anything with
   * `query(text, values)` resolving to `{ rows }` (see `SqlClient`). Give a Pool
   * `connectionTimeoutMillis` and `query_timeout`, so that a database that is down or
   * overloaded fails a request instead of holding it. Required.
   */
  client: SqlClient
  /**
   * The table, optionally schema-qualified (`app.sessions`); letters, digits and underscores
   * only, used as a quoted identifier (so the case given is the case used). Without a schema,
   * the connection's `search_path` decides. Default: `fetch_session`.
   */
  table?: string
  /**
   * Whether the store names its statements (`query({ name, text, values })`), so that each
   * connection of a `pg` Pool parses and plans each statement once instead of on every query.
   * Turn it off behind a pooler that cannot keep named statements, such as PgBouncer in
   * transaction mode before 1.21 (or with `max_prepared_statements = 0`). Default: `true` for a
   * `pg` Pool or Client, `false` for any other client, whose `query` may take only text.
   */
  prepare?: boolean
}

/** Options of `PostgresStore.sweep()`. */
export interface SweepOptions {
  /** How many expired rows one `DELETE` removes at most. Default: 1000. */
  batchSize?: number
}

// New records start at a random version, and every write adds one: a version read before a
// record was removed cannot match a record created later under the same id. 2^48 keeps every
// version a safe integer for far more writes than a session sees.
const VERSION_RANGE = 2 ** 48
const DEFAULT_BATCH_SIZE = 1000
// A version given back by the core: what `toVersion` returns, as a number or a bigint string.
const VERSION_STRING = /^-?[0-9]{1,19}$/
// Times travel as milliseconds since the epoch, the unit of the store contract.
const at = (parameter: number) => `to_timestamp($${parameter}::float8 / 1000)`

/**
 * A session store in one PostgreSQL table, shared by every server instance that uses the
 * database. Writes are compare-and-set on a version column (one atomic statement each), so
 * parallel requests lose no change and a request in flight cannot bring back an ended session;
 * the user index is a column with an index. Expired rows are never returned; `sweep()` deletes
 * them. Create the table with `migrate()` at start, or with `migrationSql()` in a migration.
 *
 * Expiry is judged by the application's clock (`Date.now()`), as the core judges it.
 */
export class PostgresStore implements VersionedSessionStore {
  readonly #client: SqlClient
  readonly #sql: Record<Statement, string>
  // The statements' names when they are prepared.
  readonly #names: Partial<Record<Statement, string>> | undefined

  /**
   * @param options see `PostgresStoreOptions`
   * @throws SessionConfigError when `client` has no `query` method, `table` is not a plain
   *   table name, or `prepare` is not a boolean
   */
  constructor(options: PostgresStoreOptions) {
    const client = (options as Partial<PostgresStoreOptions> | undefined)?.client
    if (typeof client?.query !== 'function') {
      throw new SessionConfigError(
        'PostgresStore needs a `client` with a `query(text, values)` method: a pg Pool or ' +
          'Client, a PGlite instance, or an adapter (see SqlClient)',
      )
    }
    const { prepare = isPg(client) } = options
    if (typeof prepare !== 'boolean') {
      throw new SessionConfigError('PostgresStore `prepare` must be true or false')
    }
    this.#client = client
    const table = options.table === undefined ? DEFAULT_TABLE : options.table
    const t = parseTableName(table).sql
    this.#sql = {
      read: `SELECT record, version FROM ${t} WHERE id = $1 AND expires_at > ${at(2)}`,
      // A create takes the id if it is free, or if the row under it has expired (a dead row the
      // sweep has not reached yet).
      create:
        `INSERT INTO ${t} AS s (id, record, version, user_id, expires_at) ` +
        `VALUES ($1, $2, $3, $4, ${at(5)}) ON CONFLICT (id) DO UPDATE SET ` +
        'record = excluded.record, version = excluded.version, user_id = excluded.user_id, ' +
        `expires_at = excluded.expires_at WHERE s.expires_at <= ${at(6)} RETURNING version`,
      update:
        `UPDATE ${t} SET record = $2, version = version + 1, user_id = $3, ` +
        `expires_at = ${at(4)} WHERE id = $1 AND version = $5 AND expires_at > ${at(6)} ` +
        'RETURNING version',
      // An expired row is deleted too, but does not count as removed.
      remove: `DELETE FROM ${t} WHERE id = $1 RETURNING expires_at > ${at(2)} AS live`,
      removeAt:
        `DELETE FROM ${t} WHERE id = $1 AND version = $3 ` +
        `RETURNING expires_at > ${at(2)} AS live`,
      list: `SELECT id, record, version FROM ${t} WHERE user_id = $1 AND expires_at > ${at(2)}`,
      // SKIP LOCKED: rows a write is busy with are left for the next sweep, and two instances
      // sweeping at once share the work instead of waiting for each other.
      sweep:
        `WITH gone AS (DELETE FROM ${t} WHERE id IN (SELECT id FROM ${t} ` +
        `WHERE expires_at <= ${at(1)} LIMIT $2 FOR UPDATE SKIP LOCKED) ` +
        `AND expires_at <= ${at(1)} RETURNING 1) SELECT count(*)::int AS n FROM gone`,
      // One statement, one transaction: the advisory lock queues instances migrating at once,
      // since two concurrent CREATE TABLE IF NOT EXISTS can both try to create the table.
      migrate:
        `DO $migrate$ BEGIN PERFORM pg_advisory_xact_lock(${fnv1a(t)});\n` +
        `${migrationSql(table)}END $migrate$`,
    }
    // The text is in the name, so that stores of different tables on one Pool never share a
    // name: pg refuses a name given again with another text. The migration holds several
    // statements, which a prepared statement cannot.
    this.#names = prepare
      ? Object.fromEntries(
          Object.entries(this.#sql)
            .filter(([key]) => key !== 'migrate')
            .map(([key, text]) => [key, `fetch_session_${key}_${fnv1a(text).toString(36)}`]),
        )
      : undefined
  }

  /**
   * Creates the table and its indexes if they are absent (see `migrationSql`). Safe to run at
   * every start, by several instances at once.
   */
  async migrate(): Promise<void> {
    await this.#query('create its table', 'migrate', [])
  }

  /**
   * Reads a live record.
   * @param id the session id; anything but a session id reads as absent
   * @returns the record and its version, or `null` when absent or expired
   */
  async read(id: string): Promise<StoredSession | null> {
    if (!isSessionId(id)) return null
    const rows = await this.#query('read a session', 'read', [id, Date.now()])
    const row = rows[0] as { record: string; version: unknown } | undefined
    return row === undefined ? null : { record: row.record, version: toVersion(row.version) }
  }

  /**
   * Writes a record with compare-and-set, in one statement: an `UPDATE` conditional on the
   * version and on the record being live, or for a new record an `INSERT` that takes the id only
   * if it is free or its row has expired.
   * @param id the session id
   * @param write the record, its expiry and its user
   * @param expected the version read before, or `null` to create
   * @returns the new version, or `null` on a conflict
   * @throws TypeError when `id` is not a session id, or the write is not a string record with a
   *   finite expiry and a string or `null` user
   */
  async write(
    id: string,
    write: SessionWrite,
    expected: SessionVersion | null,
  ): Promise<SessionVersion | null> {
    if (!isSessionId(id)) {
      throw new TypeError('PostgresStore refuses an id that is not a session id')
    }
    const { record, expiresAt, userId } = write
    // PostgreSQL text cannot hold NUL; the core's JSON records never contain one.
    if (typeof record !== 'string' || record.includes('\0')) {
      throw new TypeError('PostgresStore keeps records that are strings without NUL characters')
    }
    if (typeof expiresAt !== 'number' || !Number.isFinite(expiresAt)) {
      throw new TypeError('PostgresStore needs a finite expiresAt')
    }
    if (userId !== null && (typeof userId !== 'string' || userId.includes('\0'))) {
      throw new TypeError('PostgresStore keeps user ids that are strings without NUL characters')
    }
    const now = Date.now()
    if (expected === null) {
      const version = 1 + Math.floor(Math.random() * VERSION_RANGE)
      const values = [id, record, version, userId, expiresAt, now]
      const rows = await this.#query('write a session', 'create', values)
      return rows.length === 0 ? null : version
    }
    const current = versionParameter(expected)
    // A version this store cannot have given matches no record.
    if (current === null) return null
    const values = [id, record, userId, expiresAt, current, now]
    const rows = await this.#query('write a session', 'update', values)
    const row = rows[0] as { version: unknown } | undefined
    return row === undefined ? null : toVersion(row.version)
  }

  /**
   * Removes a record and so its place in the user index; an expired row under the id goes too.
   * @param id the session id; anything but a session id removes nothing
   * @param expected when given, remove only if the record is at this version
   * @returns whether a live record was removed
   */
  async remove(id: string, expected?: SessionVersion): Promise<boolean> {
    if (!isSessionId(id)) return false
    let rows: unknown[]
    if (expected === undefined) {
      rows = await this.#query('remove a session', 'remove', [id, Date.now()])
    } else {
      const current = versionParameter(expected)
      if (current === null) return false
      const values = [id, Date.now(), current]
      rows = await this.#query('remove a session', 'removeAt', values)
    }
    return (rows[0] as { live?: unknown } | undefined)?.live === true
  }

  /**
   * Lists the live records bound to a user, through the index on `user_id`.
   * @param userId the user
   * @returns the user's records with their ids, in no particular order
   * @throws TypeError when `userId` is not a string
   */
  async listByUser(userId: string): Promise<UserSession[]> {
    if (typeof userId !== 'string') throw new TypeError('PostgresStore needs a string user id')
    if (userId.includes('\0')) return []
    const rows = await this.#query("list a user's sessions", 'list', [userId, Date.now()])
    const sessions: UserSession[] = []
    for (const row of rows as { id: unknown; record: string; version: unknown }[]) {
      if (isSessionId(row.id)) {
        sessions.push({ id: row.id, record: row.record, version: toVersion(row.version) })
      }
    }
    return sessions
  }

  /**
   * Deletes the rows that had expired when it was called, `batchSize` rows per statement so
   * that no statement holds many locks or runs long. Expired rows are never returned anyway;
   * sweeping reclaims their space. Schedule it on one instance or all (instances sweeping at
   * once skip each other's rows), for example hourly:
   * `setInterval(() => store.sweep().catch(report), 3_600_000).unref()`.
   * @param options see `SweepOptions`
   * @returns how many rows were deleted
   * @throws RangeError when `batchSize` is not a positive integer
   */
  async sweep(options: SweepOptions = {}): Promise<number> {
    const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE
    if (!Number.isSafeInteger(batchSize) || batchSize < 1) {
      throw new RangeError('PostgresStore.sweep() needs a positive integer batchSize')
    }
    const now = Date.now()
    let deleted = 0
    for (;;) {
      const rows = await this.#query('sweep expired sessions', 'sweep', [now, batchSize])
      const count = Number((rows[0] as { n?: unknown } | undefined)?.n ?? 0)
      deleted += count
      if (count < batchSize) return deleted
    }
  }

  async #query(
    operation: StoreOperation,
    statement: Statement,
    values: SqlValue[],
  ): Promise<unknown[]> {
    const text = this.#sql[statement]
    const name = this.#names?.[statement]
    try {
      const result =
        name === undefined
          ? await this.#client.query(text, values)
          : await (this.#client as unknown as PgClient).query({ name, text, values })
      return result.rows
    } catch (error) {
      throw storeError(operation, error)
    }
  }
}

// pg and postgres.js give bigint columns as strings, PGlite as numbers (or bigints past 2^53).
function toVersion(value: unknown): SessionVersion {
  const version = Number(value)
  return Number.isSafeInteger(version) ? version : String(value)
}

function versionParameter(expected: SessionVersion): SqlValue {
  if (typeof expected === 'number') return Number.isSafeInteger(expected) ? expected : null
  return typeof expected === 'string' && VERSION_STRING.test(expected) ? expected : null
}

// FNV-1a of a text, kept to 32 bits so that it reads the same in every client: the key of the
// advisory lock taken while migrating a table (of its quoted name), and part of statement names.
function fnv1a(text: string): number {
  let hash = 0x811c9dc5
  for (let i = 0; i < text.length; i++) {
    hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193) >>> 0
  }
  return hash
}

// A pg Pool, which keeps the Client class it makes connections with, or a pg Client.
function isPg(client: SqlClient): boolean {
  const candidate = client as { Client?: unknown; connectionParameters?: unknown }
  return (
    typeof candidate.Client === 'function' ||
    (typeof candidate.connectionParameters === 'object' && candidate.connectionParameters !== null)
  )
}

// What pg's query() also takes: a named statement.
interface PgClient {
  query(config: { name: string; text: string; values: SqlValue[] }): PromiseLike<SqlResult>
}

type Statement = 'read' | 'create' | 'update' | 'remove' | 'removeAt' | 'list' | 'sweep' | 'migrate'
