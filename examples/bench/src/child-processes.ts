// Starting, probing and stopping the bench's child processes: one per contender server, pinned
// to one core, and the load client, pinned to another.
import { spawn, spawnSync } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import type { ChildProcess } from 'node:child_process'
import { availableParallelism } from 'node:os'
import { isAbsolute } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Contender } from './contenders.ts'
import type { LoadRequest, LoadResult } from './load-client.ts'
import type { IsolatedMemory } from './memory-probe.ts'
import type { ServerMessage } from './server-control.ts'

/** The bench package's directory, where `tsx` resolves. */
export const PACKAGE_DIR = fileURLToPath(new URL('..', import.meta.url))

/** Where servers and the load client run. */
export interface Placement {
  /** The command prefix for servers, such as `taskset -c 0`; empty when not pinned. */
  server: string[]
  /** The command prefix for the load client. */
  client: string[]
  /** In words, for the report. */
  description: string
}

/** Leaves every process free to run on any core. */
export function unpinned(): Placement {
  return { server: [], client: [], description: 'not pinned: every process free to use every core' }
}

/** Pins servers to core 0 and the load client to core 1 when `taskset` and two cores exist. */
export function placement(): Placement {
  const cores = availableParallelism()
  const taskset = spawnSync('taskset', ['-V'], { stdio: 'ignore' }).status === 0
  if (cores >= 2 && taskset) {
    return {
      server: ['taskset', '-c', '0'],
      client: ['taskset', '-c', '1'],
      description: 'servers pinned to core 0, load client to core 1 (`taskset`)',
    }
  }
  return {
    server: [],
    client: [],
    description: taskset ? 'not pinned: fewer than two cores' : 'not pinned: no `taskset`',
  }
}

// Every child runs TypeScript sources through tsx, with workspace packages resolved to their
// sources, and may be asked for a full garbage collection. V8's memory reducer is off: it
// collects and shrinks the heap of a process that goes idle, and each server idles while the
// others are measured, all but the ceiling, which is in every pair; a server that had idled a
// minute then cost up to half again as much per request as one kept busy (`src/idle-cost.ts`).
const NODE_FLAGS = ['--expose-gc', '--no-memory-reducer', '--conditions=source', '--import', 'tsx']

function start(
  prefix: string[],
  script: string,
  env: Record<string, string>,
  flags: string[] = [],
  onOutput?: (text: string) => void,
): ChildProcess {
  const command = [...prefix, process.execPath, ...NODE_FLAGS, ...flags, script]
  const child = spawn(command[0]!, command.slice(1), {
    cwd: PACKAGE_DIR,
    env: { ...process.env, ...env },
    stdio: ['ignore', onOutput === undefined ? 'ignore' : 'pipe', 'pipe', 'ipc'],
  })
  child.stdout?.setEncoding('utf8')
  if (onOutput !== undefined) child.stdout?.on('data', onOutput)
  return child
}

// Closing the channel asks a child to exit (servers and the load client exit on disconnect);
// one that has not exited 5 s later is killed.
async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise((resolve) => child.once('exit', resolve))
  if (child.connected) child.disconnect()
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000)
  await exited
  clearTimeout(timer)
}

// Keeps the end of a child's standard error, to explain a failure.
function tail(child: ChildProcess): () => string {
  let text = ''
  child.stderr?.setEncoding('utf8')
  child.stderr?.on('data', (chunk: string) => {
    text = (text + chunk).slice(-4000)
  })
  return () => text.trim()
}

// The next message of a given type from a child, or the reason it will never come.
function nextMessage<T extends { type: string }>(
  child: ChildProcess,
  accept: (message: T) => boolean,
  what: string,
  stderr: () => string,
  timeoutMs: number,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => fail(new Error(`${what}: no answer in ${timeoutMs} ms`)),
      timeoutMs,
    )
    const onMessage = (message: T) => {
      if (!accept(message)) return
      cleanup()
      resolve(message)
    }
    const onExit = (code: number | null, signal: string | null) =>
      fail(new Error(`${what}: exited (${signal ?? code})\n${stderr()}`))
    const fail = (error: Error) => {
      cleanup()
      reject(error)
    }
    const cleanup = () => {
      clearTimeout(timer)
      child.off('message', onMessage)
      child.off('exit', onExit)
    }
    child.on('message', onMessage)
    child.on('exit', onExit)
  })
}

/** Memory of a server after a full garbage collection. */
export interface MemoryProbe {
  rss: number
  heapUsed: number
  /** Sessions the server holds, `null` when it keeps none. */
  sessions: number | null
}

/** A contender's server, listening on 127.0.0.1. */
export class ServerProcess {
  readonly contender: Contender
  readonly origin: string
  readonly #child: ChildProcess
  readonly #stderr: () => string

  private constructor(
    contender: Contender,
    child: ChildProcess,
    stderr: () => string,
    port: number,
  ) {
    this.contender = contender
    this.#child = child
    this.#stderr = stderr
    this.origin = `http://127.0.0.1:${port}`
  }

  /**
   * Starts a contender's server and waits until it listens.
   * @param contender the contender
   * @param prefix the pinning prefix
   * @param env extra environment variables
   * @param flags extra Node flags, such as `--cpu-prof`
   * @param onOutput receives what the server writes to its standard output (such as the lines
   *   of `--trace-gc`), which is otherwise dropped
   */
  static async start(
    contender: Contender,
    prefix: string[],
    env: Record<string, string> = {},
    flags: string[] = [],
    onOutput?: (text: string) => void,
  ): Promise<ServerProcess> {
    // A baseline checkout's servers are given by absolute path.
    const script = isAbsolute(contender.file) ? contender.file : `src/servers/${contender.file}`
    const child = start(prefix, script, { ...contender.env, ...env, PORT: '0' }, flags, onOutput)
    const stderr = tail(child)
    try {
      const ready = await nextMessage<ServerMessage>(
        child,
        (message) => message.type === 'ready',
        `server ${contender.name}`,
        stderr,
        60_000,
      )
      if (ready.type !== 'ready') throw new Error('unreachable')
      return new ServerProcess(contender, child, stderr, ready.port)
    } catch (error) {
      child.kill()
      throw error
    }
  }

  /** Runs two full garbage collections in the server, then reads its memory. */
  async memory(): Promise<MemoryProbe> {
    this.#child.send({ type: 'memory' })
    const reply = await nextMessage<ServerMessage>(
      this.#child,
      (message) => message.type === 'memory',
      `server ${this.contender.name}`,
      this.#stderr,
      60_000,
    )
    if (reply.type !== 'memory') throw new Error('unreachable')
    return { rss: reply.rss, heapUsed: reply.heapUsed, sessions: reply.sessions }
  }

  /** The CPU time (user and system, all threads) the server has used so far, in microseconds. */
  async cpu(): Promise<number> {
    this.#child.send({ type: 'cpu' })
    const reply = await nextMessage<ServerMessage>(
      this.#child,
      (message) => message.type === 'cpu',
      `server ${this.contender.name}`,
      this.#stderr,
      60_000,
    )
    if (reply.type !== 'cpu') throw new Error('unreachable')
    return reply.micros
  }

  /**
   * The kernel's share of the CPU time the server has used so far (all threads), in
   * microseconds, read from `/proc`; `null` where there is none (not Linux).
   */
  async kernelCpu(): Promise<number | null> {
    try {
      const stat = await readFile(`/proc/${this.#child.pid}/stat`, 'utf8')
      // The fields after the command name, which is in parentheses and may hold spaces; stime
      // is the 15th field of the line, in clock ticks (100 per second on Linux).
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      return Number(fields[12]) * 10_000
    } catch {
      return null
    }
  }

  /** Stops the server. */
  stop(): Promise<void> {
    return stopChild(this.#child)
  }
}

type ClientMessage =
  | { type: 'ready' }
  | { type: 'result'; id: number; result: LoadResult }
  | { type: 'error'; id: number; message: string }

/** The load generator's process. */
export class LoadClient {
  readonly #child: ChildProcess
  readonly #stderr: () => string
  #next = 0

  private constructor(child: ChildProcess, stderr: () => string) {
    this.#child = child
    this.#stderr = stderr
  }

  /**
   * Starts the load client and waits until it is ready.
   * @param prefix the pinning prefix
   */
  static async start(prefix: string[]): Promise<LoadClient> {
    const child = start(prefix, 'src/load-client.ts', {})
    const stderr = tail(child)
    try {
      await nextMessage<ClientMessage>(
        child,
        (m) => m.type === 'ready',
        'load client',
        stderr,
        60_000,
      )
    } catch (error) {
      child.kill()
      throw error
    }
    return new LoadClient(child, stderr)
  }

  /**
   * Runs one load run and returns what it measured.
   * @param request the run
   */
  async run(request: Omit<LoadRequest, 'type'>): Promise<LoadResult> {
    const id = this.#next++
    this.#child.send({ type: 'run', id, ...request })
    const reply = await nextMessage<ClientMessage>(
      this.#child,
      (message) => message.type !== 'ready' && message.id === id,
      'load client',
      this.#stderr,
      (request.seconds + 30) * 1000,
    )
    if (reply.type === 'error') throw new Error(`load client: ${reply.message}`)
    if (reply.type !== 'result') throw new Error('unreachable')
    return reply.result
  }

  /** Stops the load client. */
  stop(): Promise<void> {
    return stopChild(this.#child)
  }
}

/**
 * Measures a contender's retained heap per session in a process of its own (`memory-probe.ts`).
 * @param name the contender, one of those the probe knows
 * @param prefix the pinning prefix
 * @param warm new sessions sent first, to warm the code up
 * @param measured new sessions sent between the two heap readings
 */
export function isolatedMemory(
  name: string,
  prefix: string[],
  warm: number,
  measured: number,
): Promise<IsolatedMemory> {
  const script = 'src/memory-probe.ts'
  const command = [
    ...prefix,
    process.execPath,
    ...NODE_FLAGS,
    script,
    name,
    `${warm}`,
    `${measured}`,
  ]
  const child = spawn(command[0]!, command.slice(1), {
    cwd: PACKAGE_DIR,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
  child.stderr
    .setEncoding('utf8')
    .on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-4000)))
  return new Promise((resolve, reject) => {
    child.on('error', reject)
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`memory probe ${name}: exited (${code})\n${stderr}`))
      else resolve(JSON.parse(stdout) as IsolatedMemory)
    })
  })
}
