import { spawn, spawnSync } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { existsSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { freePort } from '@fetch-session/test-support/local-servers'

/** Whether `redis-server` (Debian package `redis-server`) can be run on this machine. */
export const hasRedisServer = spawnSync('redis-server', ['--version']).status === 0

/** Set under CI: a missing `redis-server` then fails the run instead of skipping the tests. */
export const requireRedis = !['', '0', undefined].includes(
  process.env['FETCH_SESSION_REQUIRE_REDIS'],
)

/** Whether the tests of a file that needs `redis-server` are skipped. */
export const skipRedis = !hasRedisServer && !requireRedis

/**
 * Says, in one line, that a file's Redis tests are skipped, when they are.
 * @param what the tests, for the message
 */
export function warnIfSkipped(what: string): void {
  if (skipRedis) {
    console.warn(`redis: ${what} skipped, no redis-server (apt-get install redis-server)`)
  }
}

/** Options of `startRedisServer`. */
export interface RedisServerOptions {
  /** Keep an append-only file, flushed at every write, in the server's directory. */
  appendOnly?: boolean
  /** Start as a replica of the server on this port of 127.0.0.1. */
  replicaOf?: number
  /** Start a Sentinel instead, monitoring the primary on this port as `mymaster`, quorum 1. */
  sentinelOf?: number
}

/** A `redis-server` process on 127.0.0.1, started and stopped by a test file. */
export interface RedisServer {
  /** The TCP port, the same across restarts. */
  readonly port: number
  /** Kills the server (SIGKILL by default) and waits until it has exited. */
  kill(signal?: NodeJS.Signals): Promise<void>
  /** Starts the server again, on the same port and directory, once it is down. */
  restart(): Promise<void>
  /** Freezes the server (SIGSTOP): connections stay open, and nothing answers. */
  pause(): void
  /** Lets a paused server go on (SIGCONT). */
  resume(): void
  /** Stops the server and removes its directory. */
  stop(): Promise<void>
}

/**
 * Starts a `redis-server` (or a Sentinel) on a free port of 127.0.0.1, in a temporary directory,
 * saving no snapshot.
 * @param options see `RedisServerOptions`
 * @returns the running server
 * @throws Error when `redis-server` is missing or does not start
 */
export async function startRedisServer(options: RedisServerOptions = {}): Promise<RedisServer> {
  if (!hasRedisServer) {
    throw new Error('FETCH_SESSION_REQUIRE_REDIS is set but redis-server cannot be run')
  }
  const directory = await mkdtemp(join(tmpdir(), 'fetch-session-redis-'))
  let port = 0
  let child: ChildProcess | undefined
  // A port found free can be taken before the server binds it: try a few.
  for (let attempt = 0; child === undefined; attempt++) {
    port = await freePort()
    try {
      child = await launch(port, directory, options)
    } catch (error) {
      if (attempt === 4) {
        await rm(directory, { recursive: true, force: true })
        throw error
      }
    }
  }
  const kill = async (signal: NodeJS.Signals = 'SIGKILL') => {
    const running = child
    child = undefined
    if (running === undefined || running.exitCode !== null || running.signalCode !== null) return
    const exited = once(running, 'exit')
    // A paused process ends only once it runs again.
    running.kill('SIGCONT')
    running.kill(signal)
    await exited
  }
  return {
    port,
    kill,
    async restart() {
      if (child !== undefined) throw new Error('the redis-server is still running')
      child = await launch(port, directory, options)
    },
    pause() {
      child?.kill('SIGSTOP')
    },
    resume() {
      child?.kill('SIGCONT')
    },
    async stop() {
      await kill('SIGTERM')
      await rm(directory, { recursive: true, force: true })
    },
  }
}

// Runs redis-server in the foreground and resolves once it accepts connections.
async function launch(
  port: number,
  directory: string,
  options: RedisServerOptions,
): Promise<ChildProcess> {
  const common = ['--port', String(port), '--bind', '127.0.0.1', '--dir', directory]
  let args: string[]
  let readyLine = 'Ready to accept connections'
  if (options.sentinelOf !== undefined) {
    // A Sentinel rewrites its configuration file, so it needs one of its own.
    const file = join(directory, 'sentinel.conf')
    if (!existsSync(file)) {
      await writeFile(
        file,
        [
          `sentinel monitor mymaster 127.0.0.1 ${options.sentinelOf} 1`,
          'sentinel down-after-milliseconds mymaster 2000',
          'sentinel failover-timeout mymaster 10000',
          '',
        ].join('\n'),
      )
    }
    args = [file, '--sentinel', ...common, '--daemonize', 'no', '--logfile', '']
    readyLine = '+monitor master mymaster'
  } else {
    args = [
      ...common,
      ...['--save', '', '--daemonize', 'no', '--logfile', ''],
      ...(options.appendOnly === true
        ? ['--appendonly', 'yes', '--appendfsync', 'always']
        : ['--appendonly', 'no']),
      ...(options.replicaOf === undefined
        ? []
        : ['--replicaof', '127.0.0.1', String(options.replicaOf)]),
    ]
  }
  const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] })
  const output: string[] = []
  child.stderr!.on('data', (chunk: Buffer) => output.push(chunk.toString()))
  const lines = createInterface({ input: child.stdout! })
  const exited = once(child, 'exit').then(([code]) => {
    throw new Error(`redis-server exited with code ${code}: ${output.join('').slice(-500)}`)
  })
  const ready = (async () => {
    for await (const line of lines) {
      output.push(line)
      if (line.includes(readyLine)) return
    }
  })()
  try {
    await Promise.race([ready, exited])
  } catch (error) {
    child.kill('SIGKILL')
    throw error
  }
  exited.catch(() => {})
  // Keep reading its log, so that a full pipe never blocks the server.
  child.stdout!.resume()
  return child
}
