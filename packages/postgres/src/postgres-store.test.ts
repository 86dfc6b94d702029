import { afterAll, beforeAll } from 'vitest'
import { pgliteStore, poolStore, postgresJsStore } from './test-support/clients.ts'
import { skipWithoutPostgres, startPostgres } from './test-support/postgres-server.ts'
import type { PostgresServer } from './test-support/postgres-server.ts'
import { describeContract } from './test-support/store-contract.ts'

const skip = skipWithoutPostgres('postgres-store.test.ts')
let server: PostgresServer | undefined

beforeAll(async () => {
  if (!skip) server = await startPostgres()
}, 60_000)
afterAll(async () => {
  await server?.close()
})

describeContract('a pg Pool', () => poolStore(server!), skip)
describeContract('postgres.js through the adapter', () => postgresJsStore(server!), skip)
describeContract('PGlite in process', () => pgliteStore())
