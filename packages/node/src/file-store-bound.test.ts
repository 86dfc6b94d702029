import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SessionConfigError, generateSessionId } from '@fetch-session/core'
import { userKey } from './file-record.ts'
import { FileStore } from './file-store.ts'

let root: string
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'fetch-session-file-bound-'))
})
afterAll(() => rm(root, { recursive: true, force: true }))

let count = 0
const fresh = () => join(root, `store-${++count}`)
const hour = 60 * 60 * 1000
const sessionFiles = async (directory: string) =>
  (await readdir(directory)).filter((name) => name.endsWith('.session'))

// Writes `n` new sessions expiring one second apart, the first soonest; returns their ids.
async function fill(store: FileStore, n: number, userId: string | null = null): Promise<string[]> {
  const base = Date.now() + hour
  const ids: string[] = []
  for (let i = 0; i < n; i++) {
    const id = generateSessionId()
    await store.write(id, { record: `#${i}`, expiresAt: base + i * 1000, userId }, null)
    ids.push(id)
  }
  return ids
}

describe('new FileStore({ maxSessions })', () => {
  it('defaults to 100000', () => {
    expect(new FileStore({ directory: fresh() }).maxSessions).toBe(100_000)
  })

  it.each([0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, '10'])(
    'refuses maxSessions %j',
    (maxSessions) => {
      expect(() => new FileStore({ directory: fresh(), maxSessions } as never)).toThrow(
        SessionConfigError,
      )
    },
  )
})

describe('FileStore maxSessions', () => {
  it('never holds more sessions than the bound: a new one past it drops the earliest-expiring', async () => {
    const directory = fresh()
    const store = new FileStore({ directory, maxSessions: 10 })
    const ids = await fill(store, 10)
    expect(await sessionFiles(directory)).toHaveLength(10)
    const [newcomer] = await fill(store, 1)
    // Room is made for a tenth of the bound: the one closest to expiring went.
    expect(await store.get(ids[0]!)).toBeNull()
    for (const id of [...ids.slice(1), newcomer!]) expect(await store.get(id)).not.toBeNull()
    for (let i = 0; i < 25; i++) {
      await fill(store, 1)
      expect((await sessionFiles(directory)).length).toBeLessThanOrEqual(10)
    }
  })

  it('drops expired sessions before any live one', async () => {
    const directory = fresh()
    await mkdir(directory, { mode: 0o700 })
    // Sessions that expired on disk, written with the store's header line.
    for (let i = 0; i < 4; i++) {
      const header = `${Date.now() - hour} 0123456789abcdef -\n`
      await writeFile(join(directory, `${generateSessionId()}.session`), header + 'old', {
        mode: 0o600,
      })
    }
    const store = new FileStore({ directory, maxSessions: 10 })
    const live = await fill(store, 6)
    expect(await sessionFiles(directory)).toHaveLength(10)
    await fill(store, 1)
    expect(await sessionFiles(directory)).toHaveLength(7)
    for (const id of live) expect(await store.get(id)).not.toBeNull()
  })

  it('drops nothing to rewrite a session at the bound', async () => {
    const directory = fresh()
    const store = new FileStore({ directory, maxSessions: 5 })
    const ids = await fill(store, 5)
    const current = (await store.read(ids[0]!))!
    const write = { record: 'again', expiresAt: Date.now() + hour, userId: null }
    expect(await store.write(ids[0]!, write, current.version)).not.toBeNull()
    await store.set(ids[1]!, 'again', Date.now() + hour)
    expect(await sessionFiles(directory)).toHaveLength(5)
  })

  it('holds the bound for the version 1 set() too', async () => {
    const directory = fresh()
    const store = new FileStore({ directory, maxSessions: 5 })
    for (let i = 0; i < 12; i++) await store.set(generateSessionId(), 'x', Date.now() + hour + i)
    expect((await sessionFiles(directory)).length).toBeLessThanOrEqual(5)
  })

  it("removes a dropped session's index entry", async () => {
    const directory = fresh()
    const store = new FileStore({ directory, maxSessions: 3 })
    const ids = await fill(store, 3, 'ada')
    await fill(store, 1, 'bob')
    const kept = ids.slice(1).sort()
    expect((await store.listByUser('ada')).map((session) => session.id).sort()).toEqual(kept)
    expect((await readdir(join(directory, 'users', userKey('ada')))).sort()).toEqual(kept)
  })

  it('counts the sessions already on disk when a process starts', async () => {
    const directory = fresh()
    await fill(new FileStore({ directory, maxSessions: 8 }), 8)
    // A restarted process, or another one sharing the directory.
    const restarted = new FileStore({ directory, maxSessions: 8 })
    await fill(restarted, 3)
    expect((await sessionFiles(directory)).length).toBeLessThanOrEqual(8)
  })

  it('sweep() brings the directory back under the bound, whoever wrote the sessions', async () => {
    const directory = fresh()
    const ids = await fill(new FileStore({ directory }), 8)
    const store = new FileStore({ directory, maxSessions: 5 })
    expect(await store.sweep()).toBe(3)
    const kept = (await sessionFiles(directory)).map((name) => name.slice(0, 32)).sort()
    expect(kept).toEqual(ids.slice(3).sort())
  })
})
