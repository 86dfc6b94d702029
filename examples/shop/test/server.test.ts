import { createServer } from 'node:net'
import type { AddressInfo } from 'node:net'
import { describe, expect, it } from 'vitest'
import { startShop } from './shop-server.ts'

// A port nothing listens on: one the system just handed out and took back.
async function closedPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  await new Promise((resolve) => server.close(resolve))
  return port
}

describe('src/server.ts', () => {
  it('refuses to start on a database it cannot reach, and does not print its URL', async () => {
    const password = 'a-database-password-never-printed'
    const started = startShop({
      PORT: '0',
      SESSION_STORE: 'postgres',
      DATABASE_URL: `postgres://shop:${password}@127.0.0.1:${await closedPort()}/shop`,
    })
    const error: Error = await started.then(
      async (server) => {
        await server.stop()
        throw new Error('the shop started')
      },
      (reason: Error) => reason,
    )
    expect(error.message).toContain('the shop exited (1) before listening')
    expect(error.message).toContain(
      'Cannot start the shop: PostgresStore could not create its table (ECONNREFUSED)',
    )
    expect(error.message).not.toContain(password)
  }, 30_000)

  it('refuses to start on a Redis it cannot reach, and does not print its URL', async () => {
    const password = 'a-redis-password-never-printed'
    const error: Error = await startShop({
      PORT: '0',
      SESSION_STORE: 'redis',
      REDIS_URL: `redis://:${password}@127.0.0.1:${await closedPort()}`,
    }).then(
      async (server) => {
        await server.stop()
        throw new Error('the shop started')
      },
      (reason: Error) => reason,
    )
    expect(error.message).toContain('the shop exited (1) before listening')
    expect(error.message).toMatch(/Cannot start the shop: connect ECONNREFUSED 127\.0\.0\.1:\d+/)
    expect(error.message).not.toContain(password)
  }, 30_000)
})
