export { PostgresStore } from './postgres-store.ts'
export type { PostgresStoreOptions, SweepOptions } from './postgres-store.ts'
export { migrationSql } from './migration-sql.ts'
export type { SqlClient, SqlResult, SqlValue } from './sql-client.ts'
