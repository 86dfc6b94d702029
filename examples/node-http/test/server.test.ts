import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const exampleDir = fileURLToPath(new URL('..', import.meta.url))

let directory: string
beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'node-http-server-'))
})
afterAll(() => rm(directory, { recursive: true, force: true }))

// Runs `src/server.ts` the way `pnpm start` does, on a free port.
async function start(): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(
    process.execPath,
    ['--conditions=source', '--import', 'tsx', 'src/server.ts'],
    {
      cwd: exampleDir,
      env: {
        ...process.env,
        PORT: '0',
        SESSION_DIR: directory,
        SESSION_SECRET: 'test-secret-0123456789-0123456789-0123456789',
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  )
  for await (const line of createInterface({ input: child.stdout! })) {
    const match = /^Listening on (http:\/\/\S+)$/.exec(line)
    if (match !== null) return { child, url: match[1]! }
  }
  throw new Error('the server stopped before listening')
}

async function stop(child: ChildProcess): Promise<number | null> {
  const exited = once(child, 'exit')
  child.kill('SIGTERM')
  const [code] = await exited
  return code as number | null
}

describe('src/server.ts', () => {
  it('serves the app, keeps sessions across a restart and stops cleanly', async () => {
    const first = await start()
    const response = await fetch(first.url + '/')
    expect(response.status).toBe(200)
    const cookie = response.headers.get('set-cookie')!.split(';')[0]!
    expect(await stop(first.child)).toBe(0)

    const second = await start()
    try {
      const again = await fetch(second.url + '/', { headers: { cookie } })
      expect(await again.text()).toContain('<strong>2</strong> times')
    } finally {
      expect(await stop(second.child)).toBe(0)
    }
  }, 60_000)
})
