// The database servers some contenders need: a redis-server and a PostgreSQL cluster, each
// started by the bench on a free port of 127.0.0.1 in a temporary directory, pinned where the
// contender servers run (one machine's worth of CPU for the application and its database), and
// removed at the end. A missing binary skips the contenders that need it.
import { execFile, execFileSync, spawn, spawnSync } from 'node:child_process'
import { once } from 'node:events'
import { chown, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { promisify } from 'node:util'
import { freePort, postgresBinDir, systemUser } from '@fetch-session/test-support/local-servers'

const run = promisify(execFile)

/** The databases a contender may need. */
export type Database = 'redis' | 'postgres'

/** A running database server, as the contenders' servers reach it. */
export interface DatabaseServer {
  /** A URL for the clients: `redis://127.0.0.1:<port>` or `postgres://postgres@127.0.0.1:<port>/postgres`. */
  url: string
  /** Stops the server and removes its directory. */
  stop(): Promise<void>
}

/** Why a database cannot be started here, or `null` when it can. */
export function missing(database: Database): string | null {
  if (database === 'redis') {
    return spawnSync('redis-server', ['--version']).status === 0
      ? null
      : 'no redis-server (apt-get install redis-server)'
  }
  if (postgresBinDir() === undefined) return 'no PostgreSQL (apt-get install postgresql)'
  if (process.getuid?.() === 0 && systemUser('postgres') === undefined) {
    return 'running as root and there is no `postgres` user to run PostgreSQL as'
  }
  return null
}

/**
 * Starts a database server.
 * @param database which one
 * @param prefix the pinning prefix of the contender servers, such as `taskset -c 0`
 */
export function startDatabase(database: Database, prefix: string[]): Promise<DatabaseServer> {
  return database === 'redis' ? startRedis(prefix) : startPostgres(prefix)
}

async function startRedis(prefix: string[]): Promise<DatabaseServer> {
  const directory = await mkdtemp(join(tmpdir(), 'fetch-session-bench-redis-'))
  for (let attempt = 1; ; attempt++) {
    const port = await freePort()
    try {
      const child = await launchRedis(prefix, port, directory)
      return {
        url: `redis://127.0.0.1:${port}`,
        async stop() {
          if (child.exitCode === null && child.signalCode === null) {
            const exited = once(child, 'exit')
            child.kill('SIGTERM')
            await exited
          }
          await rm(directory, { recursive: true, force: true })
        },
      }
    } catch (error) {
      // A port found free can be taken before the server binds it: try another.
      if (attempt === 5) {
        await rm(directory, { recursive: true, force: true })
        throw error
      }
    }
  }
}

// Runs redis-server in the foreground, saving nothing to disk, until it accepts connections.
async function launchRedis(prefix: string[], port: number, directory: string) {
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', directory]
  args.push('--save', '', '--appendonly', 'no', '--daemonize', 'no', '--logfile', '')
  const command = [...prefix, 'redis-server', ...args]
  const child = spawn(command[0]!, command.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] })
  const output: string[] = []
  child.stderr!.on('data', (chunk: Buffer) => output.push(chunk.toString()))
  const exited = once(child, 'exit').then(([code]) => {
    throw new Error(`redis-server exited with code ${code}: ${output.join('').slice(-500)}`)
  })
  const ready = (async () => {
    for await (const line of createInterface({ input: child.stdout! })) {
      output.push(line)
      if (line.includes('Ready to accept connections')) return
    }
  })()
  try {
    await Promise.race([ready, exited])
  } catch (error) {
    child.kill('SIGKILL')
    throw error
  }
  exited.catch(() => {})
  child.stdout!.resume()
  return child
}

// A fresh cluster with durability off (a throwaway benchmark database), as the `postgres`
// system user when the bench runs as root, since PostgreSQL refuses to run as root.
async function startPostgres(prefix: string[]): Promise<DatabaseServer> {
  const bin = postgresBinDir()!
  const user = process.getuid?.() === 0 ? systemUser('postgres') : undefined
  const directory = await mkdtemp(join(tmpdir(), 'fetch-session-bench-postgres-'))
  if (user !== undefined) await chown(directory, user.uid, user.gid)
  const data = join(directory, 'data')
  const log = join(directory, 'server.log')
  const command = (program: string, args: string[]): [string, string[]] => {
    const full = user !== undefined ? ['runuser', '-u', 'postgres', '--'] : []
    const line = [...prefix, ...full, join(bin, program), ...args]
    return [line[0]!, line.slice(1)]
  }
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
  for (let attempt = 1; ; attempt++) {
    port = await freePort()
    const settings =
      `-c listen_addresses=127.0.0.1 -p ${port} -k ${directory} -c fsync=off ` +
      '-c synchronous_commit=off -c full_page_writes=off -c max_connections=100'
    try {
      await exec('pg_ctl', ['start', '-w', '-t', '60', '-D', data, '-l', log, '-o', settings])
      break
    } catch (error) {
      if (attempt === 5) {
        await rm(directory, { recursive: true, force: true })
        throw new Error(`PostgreSQL did not start: ${String(error)}`)
      }
    }
  }
  let running = true
  // Should the bench end without stop(), the cluster must not outlive it.
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
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    async stop() {
      process.off('exit', onExit)
      try {
        if (running) await exec('pg_ctl', ['stop', '-w', '-t', '60', '-m', 'fast', '-D', data])
      } finally {
        running = false
        await rm(directory, { recursive: true, force: true })
      }
    },
  }
}
