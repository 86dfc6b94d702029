import { spawn, spawnSync } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { createServer } from 'node:net'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEMO_USER } from '../src/app.ts'
import { startShop } from './shop-server.ts'
import type { ShopServer } from './shop-server.ts'

// Debian's redis-server (apt-get install redis-server), started by this file on a free port.
const hasRedis = spawnSync('redis-server', ['--version']).status === 0
// CI sets this so that a missing server fails the run instead of skipping the test.
const required = !['', '0', undefined].includes(process.env['FETCH_SESSION_REQUIRE_REDIS'])

if (!hasRedis && !required) {
  console.warn('example-shop: Redis test skipped, no redis-server (apt-get install redis-server)')
}

async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  await new Promise((resolve) => server.close(resolve))
  return port
}

// A browser stand-in over HTTP: it keeps the session cookie and sends it to either instance.
class Browser {
  cookie: string | undefined

  async request(origin: string, path: string, form?: Record<string, string>) {
    const headers = new Headers()
    if (this.cookie !== undefined) headers.set('cookie', this.cookie)
    if (form !== undefined) {
      headers.set('origin', origin)
      headers.set('content-type', 'application/x-www-form-urlencoded')
    }
    const response = await fetch(new URL(path, origin), {
      method: form === undefined ? 'GET' : 'POST',
      headers,
      ...(form === undefined ? {} : { body: new URLSearchParams(form) }),
      redirect: 'manual',
    })
    for (const line of response.headers.getSetCookie()) {
      const pair = line.split(';')[0]!
      if (!pair.startsWith('session=')) continue
      this.cookie = /;\s*max-age=0\b/i.test(line) ? undefined : pair
    }
    return { status: response.status, body: await response.text() }
  }
}

describe.skipIf(!hasRedis && !required)('two shops sharing one Redis', () => {
  let redis: ChildProcess | undefined
  const shops: ShopServer[] = []
  let origins: [string, string] = ['', '']

  beforeAll(async () => {
    if (!hasRedis)
      throw new Error('FETCH_SESSION_REQUIRE_REDIS is set but there is no redis-server')
    const port = await freePort()
    redis = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    )
    let output = ''
    redis.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()))
    while (!output.includes('Ready to accept connections')) {
      await Promise.race([
        once(redis.stdout!, 'data'),
        once(redis, 'exit').then(() => {
          throw new Error(`redis-server exited:\n${output}`)
        }),
      ])
    }
    const env = {
      PORT: '0',
      SESSION_STORE: 'redis',
      REDIS_URL: `redis://127.0.0.1:${port}`,
      SESSION_SECRET: 'the secret both instances share: thirty-two characters or more',
    }
    shops.push(...(await Promise.all([startShop(env), startShop(env)])))
    origins = [`http://localhost:${shops[0]!.port}`, `http://localhost:${shops[1]!.port}`]
  }, 60_000)

  afterAll(async () => {
    await Promise.all(shops.map((shop) => shop.stop()))
    if (redis !== undefined && redis.exitCode === null) {
      const exited = once(redis, 'exit')
      redis.kill('SIGTERM')
      await exited
    }
  })

  it('keeps one cart and one login across both instances', async () => {
    const [a, b] = origins
    const browser = new Browser()
    expect((await browser.request(a, '/cart/add', { product: 'ink' })).status).toBe(303)
    const cart = await browser.request(b, '/cart')
    expect(cart.body).toContain('RedisStore: sessions in Redis')
    expect(cart.body).toContain('data-product="ink"')

    // Parallel adds spread over both instances all land: update() replays on the fresh cart.
    const adds = Array.from({ length: 10 }, (_, i) =>
      browser.request(origins[i % 2]!, '/cart/add', { product: 'pencils' }),
    )
    expect((await Promise.all(adds)).map(({ status }) => status)).toEqual(Array(10).fill(303))
    const both = await browser.request(a, '/cart')
    expect(both.body).toMatch(/data-product="pencils">\s*<td>Pencil set<\/td>\s*<td[^>]*>10</)

    await browser.request(a, '/login', DEMO_USER)
    const devices = await browser.request(b, '/devices')
    expect(devices.status).toBe(200)
    expect(devices.body).toContain('data-current="true"')

    // Logged in on A from a second browser, ended from B: A then finds nothing.
    const other = new Browser()
    await other.request(a, '/login', DEMO_USER)
    await browser.request(b, '/devices/end-others', {})
    expect((await other.request(a, '/')).body).not.toContain('Logged in as')
    expect((await browser.request(a, '/')).body).toContain('Logged in as <strong>demo</strong>')

    await browser.request(b, '/logout', {})
    expect((await browser.request(a, '/cart')).body).toContain('Your cart is empty.')
  }, 60_000)
})
