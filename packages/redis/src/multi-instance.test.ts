import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestClient } from '@fetch-session/testing'
import type { TestClient } from '@fetch-session/testing'
import { skipRedis, startRedisServer, warnIfSkipped } from './test-support/redis-server.ts'
import type { RedisServer } from './test-support/redis-server.ts'

warnIfSkipped('RedisStore multi-instance tests')

const packageDir = fileURLToPath(new URL('..', import.meta.url))
const script = fileURLToPath(new URL('./test-support/instance-server.ts', import.meta.url))
const SECRET = 'the secret both instances share: thirty-two characters or more'

interface Instance {
  readonly url: string
  readonly child: ChildProcess
}

interface Reply {
  instance: string
  count: number
  note: string | null
  user: string | null
  ended: number
}

// Starts one instance of the application in a process of its own.
async function startInstance(name: string, redisPort: number): Promise<Instance> {
  const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', script], {
    cwd: packageDir,
    env: { ...process.env, REDIS_PORT: String(redisPort), INSTANCE: name, SESSION_SECRET: SECRET },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  const lines = createInterface({ input: child.stdout! })
  const exited = once(child, 'exit').then(([code]) => {
    throw new Error(`instance ${name} exited with code ${code} before listening`)
  })
  const listening = (async () => {
    for await (const line of lines) {
      if (line.startsWith('listening ')) return line.slice('listening '.length)
    }
    throw new Error(`instance ${name} closed its output before listening`)
  })()
  try {
    return { url: await Promise.race([listening, exited]), child }
  } catch (error) {
    child.kill('SIGKILL')
    throw error
  } finally {
    exited.catch(() => {})
  }
}

async function stopInstance(instance: Instance | undefined): Promise<void> {
  if (instance === undefined || instance.child.exitCode !== null) return
  const exited = once(instance.child, 'exit')
  instance.child.kill('SIGKILL')
  await exited
}

describe.skipIf(skipRedis)('two Node instances sharing one Redis', () => {
  let redis: RedisServer
  let instances: Instance[] = []
  beforeAll(async () => {
    redis = await startRedisServer()
    instances = await Promise.all(['A', 'B'].map((name) => startInstance(name, redis.port)))
  }, 60_000)
  afterAll(async () => {
    await Promise.all(instances.map(stopInstance))
    await redis?.stop()
  })

  // A browser behind a load balancer that sends its requests to A, B, A, B… (or B, A…): one
  // cookie jar, whichever instance answers.
  function browser(first: 0 | 1 = 0): TestClient {
    let turn = first
    return createTestClient(async (request) => {
      const target = new URL(instances[turn++ % 2]!.url)
      const url = new URL(request.url)
      url.protocol = target.protocol
      url.host = target.host
      const body = request.body === null ? null : await request.arrayBuffer()
      return fetch(url, { method: request.method, headers: request.headers, body })
    })
  }

  async function send(client: TestClient, method: 'GET' | 'POST', path: string): Promise<Reply> {
    const response = await client.fetch(path, { method })
    expect(response.status).toBe(200)
    return (await response.json()) as Reply
  }

  it('keeps one session for a browser whose requests alternate between them', async () => {
    const client = browser()
    expect(await send(client, 'POST', '/note?text=hello')).toMatchObject({ instance: 'A' })
    const cookie = client.cookie('session')
    expect(cookie).toBeDefined()
    expect(await send(client, 'GET', '/')).toMatchObject({ instance: 'B', note: 'hello' })
    expect(await send(client, 'POST', '/note?text=again')).toMatchObject({ instance: 'A' })
    expect(await send(client, 'GET', '/')).toMatchObject({ instance: 'B', note: 'again' })
    expect(client.cookie('session')).toBe(cookie)
  })

  it('lands 20 parallel update()s spread across both instances', async () => {
    const client = browser()
    await send(client, 'POST', '/note?text=counting')
    const replies = await Promise.all(
      Array.from({ length: 20 }, () => send(client, 'POST', '/increment')),
    )
    expect(new Set(replies.map(({ instance }) => instance))).toEqual(new Set(['A', 'B']))
    expect(await send(client, 'GET', '/')).toMatchObject({ count: 20, note: 'counting' })
    expect(await send(client, 'GET', '/')).toMatchObject({ count: 20, note: 'counting' })
  }, 30_000)

  it('makes a logout on one instance final on the other, with requests in flight', async () => {
    const client = browser()
    await send(client, 'POST', '/login?user=ada')
    expect(await send(client, 'GET', '/')).toMatchObject({ instance: 'B', user: 'ada' })
    const signedIn = client.cookie('session')!
    // The same cookie in a second tab, whose requests go to B first.
    const tab = browser(1)
    tab.setCookie(`session=${signedIn}`)

    // Increments race the logout: some load the session before it ends, some after.
    const [logout, ...inFlight] = await Promise.all([
      send(client, 'POST', '/logout'),
      ...Array.from({ length: 10 }, () => send(tab, 'POST', '/increment')),
    ])
    expect(logout).toMatchObject({ instance: 'A' })
    expect(client.cookie('session')).toBeUndefined()
    expect(new Set(inFlight.map(({ instance }) => instance))).toEqual(new Set(['A', 'B']))

    // None of them brought the signed-in session back, on either instance.
    for (const first of [0, 1] as const) {
      const stale = browser(first)
      stale.setCookie(`session=${signedIn}`)
      expect(await send(stale, 'GET', '/')).toMatchObject({
        instance: first === 0 ? 'A' : 'B',
        user: null,
        count: 0,
      })
    }
  }, 30_000)

  it("ends a user's sessions on both instances from one of them", async () => {
    const [laptop, phone] = [browser(), browser()]
    await send(laptop, 'POST', '/login?user=grace')
    await send(phone, 'GET', '/') // the phone's next request goes to B
    await send(phone, 'POST', '/login?user=grace')
    expect(await send(phone, 'GET', '/')).toMatchObject({ instance: 'A', user: 'grace' })
    const ended = await send(laptop, 'POST', '/end-everywhere')
    expect(ended).toMatchObject({ instance: 'B', ended: 2 })
    expect(await send(phone, 'GET', '/')).toMatchObject({ instance: 'B', user: null })
    expect(await send(laptop, 'GET', '/')).toMatchObject({ instance: 'A', user: null })
  })
})
