// PostgresStore under the core, as an application uses it: sessions.wrap() handlers, requests
// really in flight together, through one instance and two sharing the database.
import { createSessions } from '@fetch-session/core'
import { createTestClient } from '@fetch-session/testing'
import type pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PostgresStore } from './postgres-store.ts'
import { makePool } from './test-support/clients.ts'
import { skipWithoutPostgres, startPostgres } from './test-support/postgres-server.ts'
import type { PostgresServer } from './test-support/postgres-server.ts'

const skip = skipWithoutPostgres('sessions.test.ts')
const SECRET = 'the secret of the postgres story: thirty-two characters or more'

interface Counter {
  count: number
  device: string
}

// One server instance: its own Pool, store and Sessions object, sharing the database.
function instance(pool: pg.Pool) {
  const sessions = createSessions<Counter>({
    secrets: SECRET,
    store: new PostgresStore({ client: pool }),
  })
  const handler = sessions.wrap(async (request: Request) => {
    const url = new URL(request.url)
    const session = await sessions.load(request)
    if (url.pathname === '/login') {
      session.login(url.searchParams.get('user') ?? 'ada')
      session.set('device', url.searchParams.get('device') ?? 'laptop')
    } else if (url.pathname === '/increment') {
      session.update('count', (count = 0) => count + 1)
    } else if (url.pathname === '/logout') {
      session.destroy()
    }
    return Response.json({ count: session.get('count') ?? 0, user: session.userId })
  })
  return { sessions, handler }
}

describe.skipIf(skip)('sessions.wrap() on PostgresStore', () => {
  let server: PostgresServer | undefined
  const pools: pg.Pool[] = []
  let one: ReturnType<typeof instance>
  let two: ReturnType<typeof instance>
  // Requests alternate between the two instances, as a load balancer would send them.
  const balanced = () => {
    let next = 0
    return (request: Request) => (next++ % 2 === 0 ? one : two).handler(request)
  }
  const rows = async (user: string) => {
    const { rows } = await pools[0]!.query('SELECT id FROM fetch_session WHERE user_id = $1', [
      user,
    ])
    return rows.length
  }

  beforeAll(async () => {
    server = await startPostgres()
    pools.push(makePool(server, { max: 5 }), makePool(server, { max: 5 }))
    await new PostgresStore({ client: pools[0]! }).migrate()
    one = instance(pools[0]!)
    two = instance(pools[1]!)
  }, 60_000)
  afterAll(async () => {
    await Promise.all(pools.map((pool) => pool.end()))
    await server?.close()
  })

  it('lands all of 20 parallel update() increments of one browser on one instance', async () => {
    const client = createTestClient(one.handler)
    await client.post('/login?user=ada')
    const responses = await Promise.all(Array.from({ length: 20 }, () => client.post('/increment')))
    expect(responses.map((response) => response.status)).toEqual(Array(20).fill(200))
    expect(await (await client.get('/')).json()).toEqual({ count: 20, user: 'ada' })
    expect((await client.session(one.sessions)).get('count')).toBe(20)
  })

  it('lands all of 20 parallel increments sent to two instances alternately', async () => {
    const client = createTestClient(balanced())
    await client.post('/login?user=grace')
    const responses = await Promise.all(Array.from({ length: 20 }, () => client.post('/increment')))
    expect(responses.map((response) => response.status)).toEqual(Array(20).fill(200))
    expect((await client.session(two.sessions)).get('count')).toBe(20)
  })

  it('keeps a logout final against increments in flight on both instances', async () => {
    const client = createTestClient(balanced())
    await client.post('/login?user=alan')
    await client.post('/increment')
    const cookie = client.cookies.map((c) => `${c.name}=${c.value}`).join('; ')
    // Requests already sent with the session's cookie, and the logout among them.
    const send = (path: string, handler: (request: Request) => Promise<Response>) =>
      handler(new Request(`http://localhost${path}`, { method: 'POST', headers: { cookie } }))
    const inFlight = Array.from({ length: 10 }, (_, i) =>
      send('/increment', i % 2 === 0 ? one.handler : two.handler),
    )
    await client.post('/logout')
    await Promise.all(inFlight)

    expect(await rows('alan')).toBe(0)
    expect(await one.sessions.listSessions('alan')).toEqual([])
    const after = await send('/', two.handler)
    expect(await after.json()).toEqual({ count: 0, user: null })
  })

  it("lists a user's sessions on every instance and ends all but the current one", async () => {
    const laptop = createTestClient(one.handler)
    const phone = createTestClient(two.handler)
    await laptop.post('/login?user=barbara&device=laptop')
    await phone.post('/login?user=barbara&device=phone')

    const listed = await two.sessions.listSessions('barbara')
    expect(listed.map((info) => info.data.device).sort()).toEqual(['laptop', 'phone'])

    const current = await laptop.session(one.sessions)
    expect(await one.sessions.endSessions('barbara', { except: current })).toBe(1)
    expect(await (await phone.get('/')).json()).toEqual({ count: 0, user: null })
    expect(await (await laptop.get('/')).json()).toEqual({ count: 0, user: 'barbara' })
    expect(await rows('barbara')).toBe(1)
  })
})
