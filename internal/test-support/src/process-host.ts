// A host in a child process (Bun, Deno, Node), reached over HTTP on 127.0.0.1. The process
// prints `listening on <port>` once it serves, and exits when its stdin closes, so a test
// process that dies without cleaning up takes its hosts with it.
import { spawn } from 'node:child_process'
import type { BehaviourHost } from './behaviour-suite.ts'

/** A host that is running, until `close()`. */
export interface RunningHost extends BehaviourHost {
  close(): Promise<void>
}

export interface ProcessHostOptions {
  /** Names the host in error messages, such as `bun 1.4.5, memory store`. */
  label: string
  command: string
  args: string[]
  /** The directory to run in: the package's, so that it resolves to its own build. */
  cwd: string
  env?: NodeJS.ProcessEnv
  stateless: boolean
  /** How long the process may take to print its port before it counts as failed, in ms. */
  startTimeout: number
}

/**
 * Starts a host process and waits until it serves.
 * @param options what to run and where
 * @returns the running host, or rejects with the process's output when it does not start
 */
export function startProcessHost(options: ProcessHostOptions): Promise<RunningHost> {
  const { label, command, args, cwd, env, stateless, startTimeout } = options
  // Its own process group, so that close() also ends whatever the command spawns (an npm
  // launcher such as Deno's runs the real binary as a child).
  const child = spawn(command, args, { cwd, env, stdio: 'pipe', detached: true })
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  let output = ''
  child.stdout.setEncoding('utf8')
  child.stderr.setEncoding('utf8')
  child.stderr.on('data', (text: string) => {
    output += text
    process.stderr.write(prefix(label, text))
  })

  async function close(): Promise<void> {
    // No pid: the command never started, so there is nothing to end.
    if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
      killGroup(child.pid, 'SIGTERM')
      const stubborn = setTimeout(() => killGroup(child.pid, 'SIGKILL'), 5000)
      await exited
      clearTimeout(stubborn)
    }
  }

  return new Promise<RunningHost>((resolve, reject) => {
    let settled = false
    const fail = (reason: string) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      void close().then(() => {
        const shown = output.trim() === '' ? '(no output)' : output.trim()
        const line = [command, ...args].map(abridge).join(' ')
        reject(new Error(`${label}: ${reason}\n$ ${line}\n${shown}`))
      })
    }
    const onExit = (code: number | null, signal: NodeJS.Signals | null) =>
      fail(`exited before serving (${signal ?? `exit code ${code}`})`)
    const onStdout = (text: string) => {
      output += text
      const port = /^listening on (\d+)$/m.exec(output)?.[1]
      if (port === undefined || settled) return
      settled = true
      clearTimeout(timer)
      child.off('exit', onExit)
      child.stdout.off('data', onStdout)
      child.stdout.on('data', (more: string) => process.stdout.write(prefix(label, more)))
      const origin = `http://127.0.0.1:${port}`
      resolve({ fetch: (path, init) => fetch(new URL(path, origin), init), stateless, close })
    }
    const timer = setTimeout(
      () => fail(`did not print its port within ${startTimeout} ms`),
      startTimeout,
    )
    child.once('error', (error) => fail(`could not be started (${error.message})`))
    child.once('exit', onExit)
    child.stdout.on('data', onStdout)
  })
}

function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return
  try {
    process.kill(-pid, signal)
  } catch {
    // Already gone.
  }
}

/** A command-line argument as an error message shows it: inline code is not worth reading. */
function abridge(arg: string): string {
  return arg.length > 100 ? `<${arg.length} characters>` : arg
}

function prefix(label: string, text: string): string {
  return text.replace(/^(?=.)/gm, `[${label}] `)
}
