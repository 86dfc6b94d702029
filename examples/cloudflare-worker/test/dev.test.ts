// `pnpm start` itself: the command that the start script runs serves the Worker over HTTP, with
// its KV data in the folder it was given, and stops cleanly.
import { execFileSync, spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const EXAMPLE = fileURLToPath(new URL('..', import.meta.url))

// Resolves with the URL the server prints once it listens.
function listening(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let output = ''
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString()
      const match = /Listening on (http:\/\/localhost:\d+)/.exec(output)
      if (match !== null) resolve(match[1]!)
    })
    child.stderr!.on('data', (chunk: Buffer) => {
      output += chunk.toString()
    })
    child.on('exit', (code) =>
      reject(new Error(`exited with ${code} before listening:\n${output}`)),
    )
  })
}

// The processes a process started: workerd, and esbuild's service.
function childrenOf(pid: number): number[] {
  const output = execFileSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' })
  return output.split('\n').filter(Boolean).map(Number)
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

// Runs what the package's start scripts run, with the variant as its argument (none for KV),
// and checks that it serves, counts, keeps its data in the folder given, and stops cleanly.
async function servesAndStops(variant: string | undefined, persistVariable: string) {
  const folder = await mkdtemp(join(tmpdir(), 'fetch-session-dev-'))
  const args = ['--conditions=source', '--import', 'tsx', 'src/dev.ts']
  const child = spawn(process.execPath, variant === undefined ? args : [...args, variant], {
    cwd: EXAMPLE,
    env: { ...process.env, PORT: '0', [persistVariable]: folder, SESSION_SECRET: 'x'.repeat(40) },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  try {
    const url = await listening(child)
    expect(await (await fetch(`${url}/health`)).text()).toBe('ok')
    const count = await fetch(`${url}/count`, { method: 'POST', redirect: 'manual' })
    expect(count.status).toBe(303)
    const cookie = count.headers.get('set-cookie')!.split(';')[0]!
    const state = await fetch(`${url}/api/session`, { headers: { cookie } })
    expect(await state.json()).toMatchObject({ count: 1 })
    const stored = await readdir(folder)

    const runtimes = childrenOf(child.pid!)
    expect(runtimes.length).toBeGreaterThan(0)
    child.kill('SIGTERM')
    // Miniflare ends workerd and exits as a process ended by SIGTERM does (128 + 15).
    expect(await exited).toBe(143)
    // They get the signal as the process exits, and take a moment to go.
    for (let wait = 0; wait < 100 && runtimes.some(isRunning); wait++) await sleep(100)
    expect(runtimes.filter(isRunning)).toEqual([])
    return stored
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL')
    await rm(folder, { recursive: true, force: true })
  }
}

describe('pnpm start', () => {
  it('serves the KV Worker on the port it is given, keeping KV data in a folder', async () => {
    expect(await servesAndStops(undefined, 'KV_PERSIST')).toContain('SESSIONS')
  }, 60_000)

  it('serves the Durable Object Worker when given durable-object, keeping its data in a folder', async () => {
    // Miniflare keeps a Durable Object class's data in a folder named after the Worker and class.
    expect(await servesAndStops('durable-object', 'DO_PERSIST')).toEqual([
      expect.stringContaining('SessionDurableObject'),
    ])
  }, 60_000)
})
