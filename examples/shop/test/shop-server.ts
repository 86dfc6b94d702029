import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'

/** The shop running as a child process, as `pnpm start` runs it. */
export interface ShopServer {
  /** The port it listens on. */
  port: number
  /** Stops the process (SIGTERM) and waits for it to exit. */
  stop(): Promise<void>
}

const exampleRoot = fileURLToPath(new URL('..', import.meta.url))

/**
 * Starts `src/server.ts` in a new Node process, as the `start` script does, with the file store.
 * @param env PORT (`0` for a free one), SESSION_DIR, SESSION_SECRET…
 * @returns the server, once it printed the URL it listens on
 */
export function startShop(env: Record<string, string>): Promise<ShopServer> {
  const child = spawn(
    process.execPath,
    ['--conditions=source', '--import', 'tsx', 'src/server.ts'],
    { cwd: exampleRoot, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
  )
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  let output = ''
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString()
      const match = /http:\/\/localhost:(\d+)/.exec(output)
      if (match === null) return
      child.stdout.off('data', onData)
      resolve({
        port: Number(match[1]),
        async stop() {
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM')
          await exited
        },
      })
    }
    child.stdout.on('data', onData)
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()))
    child.once('exit', (code, signal) =>
      reject(new Error(`the shop exited (${signal ?? code}) before listening:\n${output}`)),
    )
  })
}
