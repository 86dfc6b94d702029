import { execFile } from 'node:child_process'
import { existsSync, readdirSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import type { AddressInfo } from 'node:net'
import { tmpdir, userInfo } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEMO_USER } from '../src/app.ts'
import { startShop } from './shop-server.ts'
import type { ShopServer } from './shop-server.ts'

const run = promisify(execFile)

// Debian's PostgreSQL (apt-get install postgresql): the newest version's programs.
const ROOT = '/usr/lib/postgresql'
const versions = existsSync(ROOT) ? readdirSync(ROOT).sort((a, b) => Number(b) - Number(a)) : []
const bin = versions.map((version) => join(ROOT, version, 'bin')).find((dir) => existsSync(dir))
// PostgreSQL refuses to run as root: then it runs as the `postgres` user the package creates.
const asRoot = userInfo().uid === 0
const hasPostgres = bin !== undefined
// CI sets this so that a missing server fails the run instead of skipping the test.
const required = !['', '0', undefined].includes(process.env['FETCH_SESSION_REQUIRE_POSTGRES'])

if (!hasPostgres && !required) {
  console.warn('example-shop: PostgreSQL test skipped, no PostgreSQL (apt-get install postgresql)')
}

// Runs one of PostgreSQL's programs, as the `postgres` user when this process is root.
function pg(program: string, args: string[]) {
  const path = join(bin!, program)
  return asRoot ? run('runuser', ['-u', 'postgres', '--', path, ...args]) : run(path, args)
}

async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  await new Promise((resolve) => server.close(resolve))
  return port
}

// The session cookie of a response, as `name=value`, for the next request.
function sessionCookie(response: Response): string {
  const line = response.headers.getSetCookie().find((cookie) => cookie.startsWith('session='))
  if (line === undefined) throw new Error('no session cookie')
  return line.split(';')[0]!
}

describe.skipIf(!hasPostgres && !required)('the shop on PostgreSQL', () => {
  let directory = ''
  let started = false
  let shop: ShopServer | undefined
  const env: Record<string, string> = {
    PORT: '0',
    SESSION_STORE: 'postgres',
    SESSION_SECRET: 'the secret of the PostgreSQL test: thirty-two characters or more',
  }

  beforeAll(async () => {
    if (!hasPostgres) throw new Error('FETCH_SESSION_REQUIRE_POSTGRES is set but there is none')
    directory = await mkdtemp(join(tmpdir(), 'fetch-session-shop-postgres-'))
    if (asRoot) await run('chown', ['postgres', directory])
    const data = join(directory, 'data')
    const port = await freePort()
    await pg('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '--no-sync'])
    const options = `-p ${port} -k ${directory} -c listen_addresses=127.0.0.1 -c fsync=off`
    await pg('pg_ctl', ['-D', data, '-o', options, '-l', join(directory, 'log'), '-w', 'start'])
    started = true
    env['DATABASE_URL'] = `postgres://postgres@127.0.0.1:${port}/postgres`
  }, 60_000)

  afterAll(async () => {
    await shop?.stop()
    if (started) await pg('pg_ctl', ['-D', join(directory, 'data'), '-m', 'fast', '-w', 'stop'])
    if (directory !== '') await rm(directory, { recursive: true, force: true })
  }, 60_000)

  it('creates its table, keeps the cart and the login there, across a restart', async () => {
    shop = await startShop(env)
    let origin = `http://localhost:${shop.port}`
    const post = (path: string, form: Record<string, string>, cookie?: string) =>
      fetch(new URL(path, origin), {
        method: 'POST',
        headers: {
          origin,
          'content-type': 'application/x-www-form-urlencoded',
          ...(cookie === undefined ? {} : { cookie }),
        },
        body: new URLSearchParams(form),
        redirect: 'manual',
      })
    const added = await post('/cart/add', { product: 'ink' })
    const login = await post('/login', DEMO_USER, sessionCookie(added))
    const cookie = sessionCookie(login)

    // A new process on the same database: migrate() finds the table, the session is there.
    await shop.stop()
    shop = await startShop(env)
    origin = `http://localhost:${shop.port}`
    const cart = await (await fetch(new URL('/cart', origin), { headers: { cookie } })).text()
    expect(cart).toContain('PostgresStore: sessions in a database table')
    expect(cart).toContain('data-product="ink"')
    expect(cart).toContain('Logged in as <strong>demo</strong>')
    const devices = await (await fetch(new URL('/devices', origin), { headers: { cookie } })).text()
    expect(devices).toContain('data-current="true"')
  }, 60_000)
})
