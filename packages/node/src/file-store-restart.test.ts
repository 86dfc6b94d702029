import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { CookieJar } from '@fetch-session/test-support'

const packageDir = fileURLToPath(new URL('..', import.meta.url))
const script = fileURLToPath(new URL('./test-support/file-store-server.ts', import.meta.url))

let directory: string
beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'fetch-session-restart-'))
})
afterAll(() => rm(directory, { recursive: true, force: true }))

const children = new Set<ChildProcess>()
afterEach(() => {
  for (const child of children) child.kill('SIGKILL')
  children.clear()
})

// Starts the server in a process of its own and resolves with its URL.
async function start(): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', script], {
    cwd: packageDir,
    env: { ...process.env, SESSION_DIR: directory },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  children.add(child)
  const lines = createInterface({ input: child.stdout! })
  const exited = once(child, 'exit').then(([code]) => {
    throw new Error(`the server exited with code ${code} before listening`)
  })
  const listening = (async () => {
    for await (const line of lines) {
      if (line.startsWith('listening ')) return line.slice('listening '.length)
    }
    throw new Error('the server closed its output before listening')
  })()
  const url = await Promise.race([listening, exited])
  exited.catch(() => {})
  return { url, child }
}

async function stop(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  const exited = once(child, 'exit')
  child.kill(signal)
  await exited
  children.delete(child)
}

describe('FileStore across a process restart', () => {
  it('finds the session written by a previous process, even one that was killed', async () => {
    const jar = new CookieJar()
    const send = async (url: string, path: string, init: RequestInit = {}) => {
      const cookie = jar.header()
      const response = await fetch(url + path, {
        ...init,
        headers: cookie === undefined ? {} : { cookie },
      })
      jar.store(response)
      return response.json()
    }

    const first = await start()
    expect(await send(first.url, '/a/count')).toEqual({ count: 1 })
    expect(await send(first.url, '/a/cart?value=apple', { method: 'POST' })).toEqual({
      cart: ['apple'],
    })
    await stop(first.child, 'SIGTERM')

    const second = await start()
    expect(await send(second.url, '/a/count')).toEqual({ count: 2 })
    expect(await send(second.url, '/a/cart')).toEqual({ cart: ['apple'] })
    // No clean shutdown this time: whatever was committed is on disk already.
    await stop(second.child, 'SIGKILL')

    const third = await start()
    expect(await send(third.url, '/a/read')).toEqual({ count: 2, user: null, isNew: false })
    expect(await send(third.url, '/a/logout', { method: 'POST' })).toEqual({ ok: true })
    await stop(third.child, 'SIGKILL')

    expect(await readdir(directory)).toEqual([])
  }, 60_000)
})
