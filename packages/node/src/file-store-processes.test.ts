import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises'
import { hostname, tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { generateSessionId } from '@fetch-session/core'
import { FileStore } from './file-store.ts'

const packageDir = fileURLToPath(new URL('..', import.meta.url))
const worker = fileURLToPath(new URL('./test-support/file-cas-worker.ts', import.meta.url))

let root: string
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'fetch-session-file-processes-'))
})
afterAll(() => rm(root, { recursive: true, force: true }))

const children = new Set<ChildProcess>()
afterEach(() => {
  for (const child of children) child.kill('SIGKILL')
  children.clear()
})

let count = 0
const fresh = () => join(root, `store-${++count}`)
const later = () => Date.now() + 60 * 60 * 1000
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

// Starts a worker process; `ready` resolves once it has loaded, `finished` with its conflicts.
function startWorker(directory: string, id: string, times: number) {
  const child = spawn(
    process.execPath,
    ['--conditions=source', '--import', 'tsx', worker, directory, id, String(times)],
    { cwd: packageDir, stdio: ['pipe', 'pipe', 'inherit'] },
  )
  children.add(child)
  let output = ''
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString()
      if (output.startsWith('ready\n')) resolve()
    })
    child.once('exit', () => reject(new Error('the worker exited before it was ready')))
  })
  const finished = once(child, 'exit').then(([code]) => {
    children.delete(child)
    const conflicts = /conflicts (\d+)\n/.exec(output)
    if (code !== 0 || conflicts === null) throw new Error(`the worker exited with code ${code}`)
    return Number(conflicts[1])
  })
  return { ready, finished, go: () => child.stdin!.end('go\n') }
}

// Whether a promise has settled by the time the event loop has turned a few times.
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false
  promise.then(
    () => (done = true),
    () => (done = true),
  )
  await sleep(200)
  return done
}

describe('fileStore.write() across processes', () => {
  it('loses no increment when 6 processes run compare-and-set loops on one session', async () => {
    const directory = fresh()
    const store = new FileStore({ directory })
    const id = generateSessionId()
    const initial = { record: JSON.stringify({ count: 0 }), expiresAt: later(), userId: null }
    await store.write(id, initial, null)
    const workers = Array.from({ length: 6 }, () => startWorker(directory, id, 30))
    await Promise.all(workers.map((child) => child.ready))
    for (const child of workers) child.go()
    const conflicts = await Promise.all(workers.map((child) => child.finished))
    expect(JSON.parse((await store.read(id))!.record)).toEqual({ count: 6 * 30 })
    // The processes did race: writes at a version another process had replaced were refused.
    expect(conflicts.reduce((sum, n) => sum + n, 0)).toBeGreaterThan(0)
    // No lock or temporary file is left behind.
    expect(await readdir(directory)).toEqual([`${id}.session`])
  }, 30_000)
})

describe('FileStore locks', () => {
  // The pid of a process that has exited.
  async function deadPid(): Promise<number> {
    const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' })
    await once(child, 'exit')
    return child.pid!
  }

  async function plantLock(directory: string, id: string, owner: string, mtime: Date) {
    const path = join(directory, `${id}.lock`)
    await writeFile(path, owner, { mode: 0o600 })
    await utimes(path, mtime, mtime)
    return path
  }

  async function storeWithSession(directory: string) {
    const store = new FileStore({ directory })
    const id = generateSessionId()
    const version = (await store.write(
      id,
      { record: 'v1', expiresAt: later(), userId: null },
      null,
    ))!
    return { store, id, version }
  }

  const future = () => new Date(Date.now() + 60 * 60 * 1000)
  const hourAgo = () => new Date(Date.now() - 60 * 60 * 1000)

  it('waits while a live process holds the lock, and writes once it is released', async () => {
    const directory = fresh()
    const { store, id, version } = await storeWithSession(directory)
    const lock = await plantLock(directory, id, `${process.pid} ${hostname()}\n`, new Date())
    const write = store.write(id, { record: 'v2', expiresAt: later(), userId: null }, version)
    expect(await settled(write)).toBe(false)
    expect(await store.read(id)).toEqual({ record: 'v1', version })
    await rm(lock)
    const next = await write
    expect(await store.read(id)).toEqual({ record: 'v2', version: next })
  })

  it('takes over at once the lock of a process of this host that died holding it', async () => {
    const directory = fresh()
    const { store, id, version } = await storeWithSession(directory)
    // Dated in the future, so that only the dead holder, not the lock's age, can free it.
    await plantLock(directory, id, `${await deadPid()} ${hostname()}\n`, future())
    const next = await store.write(id, { record: 'v2', expiresAt: later(), userId: null }, version)
    expect(await store.read(id)).toEqual({ record: 'v2', version: next })
    expect(await readdir(directory)).toEqual([`${id}.session`])
  })

  it("does not judge another host's process by its pid", async () => {
    const directory = fresh()
    const { store, id, version } = await storeWithSession(directory)
    const lock = await plantLock(directory, id, `${await deadPid()} elsewhere.invalid\n`, future())
    const write = store.write(id, { record: 'v2', expiresAt: later(), userId: null }, version)
    expect(await settled(write)).toBe(false)
    await rm(lock)
    expect(await write).toEqual(expect.any(String))
  })

  it('breaks a lock older than 10 s, whoever holds it', async () => {
    const directory = fresh()
    const { store, id, version } = await storeWithSession(directory)
    await plantLock(directory, id, `${process.pid} ${hostname()}\n`, hourAgo())
    expect(await store.remove(id, version)).toBe(true)
    expect(await readdir(directory)).toEqual([])
  })

  it('never needs the lock to read', async () => {
    const directory = fresh()
    const { store, id, version } = await storeWithSession(directory)
    await plantLock(directory, id, `${process.pid} ${hostname()}\n`, new Date())
    expect(await store.read(id)).toEqual({ record: 'v1', version })
    expect(await store.get(id)).toBe('v1')
  })

  it('sweep() removes the lock of a dead process and leaves a live one', async () => {
    const directory = fresh()
    const { store } = await storeWithSession(directory)
    const [dead, live] = [generateSessionId(), generateSessionId()]
    await plantLock(directory, dead, `${await deadPid()} ${hostname()}\n`, future())
    await plantLock(directory, live, `${process.pid} ${hostname()}\n`, new Date())
    await store.sweep()
    const names = await readdir(directory)
    expect(names).toContain(`${live}.lock`)
    expect(names).not.toContain(`${dead}.lock`)
    expect(names.filter((name) => name.endsWith('.tmp'))).toEqual([])
  })
})
