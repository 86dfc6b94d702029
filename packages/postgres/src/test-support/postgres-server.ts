// A real PostgreSQL server for the tests: Debian's binaries, a fresh cluster in a temporary
// directory, listening on a free port on 127.0.0.1 only. PostgreSQL refuses to run as root, so
// as root the server runs as the `postgres` system user that the Debian package creates.
import { execFile, execFileSync } from 'node:child_process'
import { chown, mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import {
  POSTGRES_ROOT,
  freePort,
  postgresBinDir,
  systemUser,
} from '@fetch-session/test-support/local-servers'

const run = promisify(execFile)
const INSTALL = 'apt-get install postgresql'

/** The newest installed version's bin directory, or `undefined` when there is none. */
export const postgresBin: string | undefined = postgresBinDir()

/** Set by CI: a missing PostgreSQL then fails the run instead of skipping its tests. */
export const postgresRequired = !['', '0', undefined].includes(
  process.env['FETCH_SESSION_REQUIRE_POSTGRES'],
)

const asRoot = process.getuid?.() === 0
const serverUser = asRoot ? systemUser('postgres') : undefined
const unavailable =
  postgresBin === undefined
    ? `no PostgreSQL in ${POSTGRES_ROOT}/*/bin`
    : asRoot && serverUser === undefined
      ? 'running as root and there is no `postgres` user to run the server as'
      : undefined

/**
 * Tells a test file whether to skip its PostgreSQL tests, warning once when it does.
 * @param label names the test file in the warning
 * @returns true when PostgreSQL is missing and not required
 */
export function skipWithoutPostgres(label: string): boolean {
  if (unavailable === undefined || postgresRequired) return false
  console.warn(`postgres: ${label} skipped, ${unavailable} (${INSTALL})`)
  return true
}

/** A running test server. */
export interface PostgresServer {
  /** The port it listens on, on 127.0.0.1. */
  readonly port: number
  /** Settings for a `pg` Pool or Client (user `postgres`, trusted on loopback). */
  readonly connection: { host: string; port: number; user: string; database: string }
  /** The same as a connection string, for postgres.js. */
  readonly url: string
  /** Stops the server (fast shutdown: open connections are terminated), keeping its data. */
  stop(): Promise<void>
  /** Starts it again on the same port. */
  start(): Promise<void>
  /** Stops it and removes its directory. */
  close(): Promise<void>
}

/**
 * Creates a cluster in a temporary directory and starts a server on it.
 * @returns the running server
 * @throws Error when PostgreSQL is missing (call `skipWithoutPostgres` first) or fails to start
 */
export async function startPostgres(): Promise<PostgresServer> {
  if (unavailable !== undefined || postgresBin === undefined) {
    throw new Error(`FETCH_SESSION_REQUIRE_POSTGRES is set but ${unavailable} (${INSTALL})`)
  }
  const bin = postgresBin
  const directory = await mkdtemp(join(tmpdir(), 'fetch-session-postgres-'))
  if (serverUser !== undefined) await chown(directory, serverUser.uid, serverUser.gid)
  const data = join(directory, 'data')
  const log = join(directory, 'server.log')
  const command = (program: string, args: string[]): [string, string[]] =>
    asRoot
      ? ['runuser', ['-u', 'postgres', '--', join(bin, program), ...args]]
      : [join(bin, program), args]
  const exec = async (program: string, args: string[]) => {
    const [file, argv] = command(program, args)
    await run(file, argv, { cwd: directory })
  }

  await exec('initdb', [
    '-D',
    data,
    '-U',
    'postgres',
    '--auth=trust',
    '-E',
    'UTF8',
    '--no-locale',
    '-N',
  ])
  let port = 0
  let running = false
  const start = async () => {
    // Durability is of no use to a throwaway cluster; the socket stays in our directory.
    const settings =
      `-c listen_addresses=127.0.0.1 -p ${port} -k ${directory} -c fsync=off ` +
      '-c synchronous_commit=off -c full_page_writes=off'
    await exec('pg_ctl', ['start', '-w', '-t', '60', '-D', data, '-l', log, '-o', settings])
    running = true
  }
  const stop = async () => {
    if (!running) return
    await exec('pg_ctl', ['stop', '-w', '-t', '60', '-m', 'fast', '-D', data])
    running = false
  }
  // A free port can be taken between finding it and binding it: try another then.
  for (let attempt = 1; ; attempt++) {
    port = await freePort()
    try {
      await start()
      break
    } catch (error) {
      const text = await readFile(log, 'utf8').catch(() => '')
      if (attempt === 5 || !text.includes('could not bind')) {
        await rm(directory, { recursive: true, force: true })
        throw new Error(`PostgreSQL did not start: ${String(error)}\n${text}`)
      }
    }
  }
  // Should the test process end without `close()`, the server must not outlive it.
  const onExit = () => {
    if (!running) return
    const [file, argv] = command('pg_ctl', ['stop', '-m', 'immediate', '-D', data])
    try {
      execFileSync(file, argv, { stdio: 'ignore' })
    } catch {
      // Already gone.
    }
  }
  process.once('exit', onExit)

  return {
    port,
    connection: { host: '127.0.0.1', port, user: 'postgres', database: 'postgres' },
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    stop,
    start,
    close: async () => {
      process.off('exit', onExit)
      try {
        await stop()
      } finally {
        await rm(directory, { recursive: true, force: true })
      }
    },
  }
}
