import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { generateSessionId, isVersionedStore } from '@fetch-session/core'
import type { SessionWrite } from '@fetch-session/core'
import { FileStore } from './file-store.ts'
import { userKey } from './file-record.ts'

let root: string
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'fetch-session-file-store-v2-'))
})
afterAll(() => rm(root, { recursive: true, force: true }))

let count = 0
const fresh = () => join(root, `store-${++count}`)
const later = () => Date.now() + 60 * 60 * 1000
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const record = (text: string, userId: string | null = null): SessionWrite => ({
  record: text,
  expiresAt: later(),
  userId,
})

describe('FileStore (store contract version 2)', () => {
  it('is a versioned store', () => {
    expect(isVersionedStore(new FileStore({ directory: fresh() }))).toBe(true)
  })
})

describe('fileStore.write()', () => {
  it('creates a session with `expected: null` only while its id is free', async () => {
    const store = new FileStore({ directory: fresh() })
    const id = generateSessionId()
    const first = await store.write(id, record('first'), null)
    expect(first).toEqual(expect.any(String))
    expect(await store.write(id, record('second'), null)).toBeNull()
    expect(await store.read(id)).toEqual({ record: 'first', version: first })
  })

  it('replaces a session only at the version it was read at, with a new version each time', async () => {
    const store = new FileStore({ directory: fresh() })
    const id = generateSessionId()
    const v1 = (await store.write(id, record('one'), null))!
    const v2 = (await store.write(id, record('two'), v1))!
    expect(v2).not.toBe(v1)
    // A writer still holding the first version lost the race: its change is refused.
    expect(await store.write(id, record('stale'), v1)).toBeNull()
    expect(await store.write(id, record('three'), 'ffffffffffffffff')).toBeNull()
    expect(await store.read(id)).toEqual({ record: 'two', version: v2 })
  })

  it('refuses to write at a version once the session was removed, so it stays ended', async () => {
    const store = new FileStore({ directory: fresh() })
    const id = generateSessionId()
    const version = (await store.write(id, record('logged in'), null))!
    expect(await store.remove(id)).toBe(true)
    expect(await store.write(id, record('in flight'), version)).toBeNull()
    expect(await store.read(id)).toBeNull()
  })

  it('treats an expired session as free, and refuses to write at its version', async () => {
    const directory = fresh()
    const store = new FileStore({ directory })
    const id = generateSessionId()
    const version = (await store.write(
      id,
      { ...record('soon gone'), expiresAt: Date.now() + 50 },
      null,
    ))!
    await sleep(100)
    expect(await store.write(id, record('refresh'), version)).toBeNull()
    const fresh2 = await store.write(id, record('new'), null)
    expect(await store.read(id)).toEqual({ record: 'new', version: fresh2 })
  })

  it('removes the session instead of writing a record whose expiry has passed', async () => {
    const directory = fresh()
    const store = new FileStore({ directory })
    const id = generateSessionId()
    const version = (await store.write(id, record('alive', 'ada'), null))!
    const next = await store.write(
      id,
      { ...record('dead', 'ada'), expiresAt: Date.now() - 1 },
      version,
    )
    expect(next).toEqual(expect.any(String))
    expect(await store.read(id)).toBeNull()
    expect(await store.listByUser('ada')).toEqual([])
    expect(await readdir(directory)).toEqual(['users'])
  })

  it('lets exactly one of many concurrent writers at one version win', async () => {
    const store = new FileStore({ directory: fresh() })
    const id = generateSessionId()
    const version = (await store.write(id, record('base'), null))!
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => store.write(id, record(`writer ${i}`), version)),
    )
    const winners = results.filter((result) => result !== null)
    expect(winners).toHaveLength(1)
    const winner = results.findIndex((result) => result !== null)
    expect(await store.read(id)).toEqual({ record: `writer ${winner}`, version: winners[0] })
  })

  it('lets exactly one of many concurrent creators of one id win', async () => {
    const directory = fresh()
    const store = new FileStore({ directory })
    // Two stores on one directory take the lock file, not only this process's queue.
    const other = new FileStore({ directory })
    const id = generateSessionId()
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        (i % 2 ? store : other).write(id, record(`creator ${i}`), null),
      ),
    )
    expect(results.filter((result) => result !== null)).toHaveLength(1)
    expect((await readdir(directory)).sort()).toEqual([`${id}.session`])
  })

  it.each([
    ['a record that is not a string', { record: 1, expiresAt: later(), userId: null }],
    ['an expiry that is not finite', { record: 'x', expiresAt: Number.NaN, userId: null }],
    ['a user id that is neither a string nor null', { record: 'x', expiresAt: later(), userId: 7 }],
  ])('refuses %s', async (_, write) => {
    const store = new FileStore({ directory: fresh() })
    await expect(store.write(generateSessionId(), write as never, null)).rejects.toThrow(TypeError)
  })

  it('refuses an id that is not a session id', async () => {
    const directory = fresh()
    const store = new FileStore({ directory })
    await expect(store.write('../escape', record('x'), null)).rejects.toThrow(TypeError)
    expect(await readdir(directory).catch(() => 'absent')).toBe('absent')
  })
})

describe('fileStore.remove()', () => {
  it('removes a live session and says so; an absent one is false', async () => {
    const directory = fresh()
    const store = new FileStore({ directory })
    const id = generateSessionId()
    await store.write(id, record('here'), null)
    expect(await store.remove(id)).toBe(true)
    expect(await store.read(id)).toBeNull()
    expect(await store.remove(id)).toBe(false)
    expect(await store.remove(generateSessionId())).toBe(false)
    expect(await store.remove('not an id')).toBe(false)
    expect(await readdir(directory)).toEqual([])
  })

  it('removes only at the expected version when one is given', async () => {
    const store = new FileStore({ directory: fresh() })
    const id = generateSessionId()
    const v1 = (await store.write(id, record('one'), null))!
    const v2 = (await store.write(id, record('two'), v1))!
    expect(await store.remove(id, v1)).toBe(false)
    expect(await store.read(id)).toEqual({ record: 'two', version: v2 })
    expect(await store.remove(id, v2)).toBe(true)
    expect(await store.read(id)).toBeNull()
  })

  it('reports an expired session as not removed, and removes its file', async () => {
    const directory = fresh()
    const store = new FileStore({ directory })
    const id = generateSessionId()
    await store.write(id, { ...record('short'), expiresAt: Date.now() + 50 }, null)
    await sleep(100)
    expect(await store.remove(id)).toBe(false)
    expect(await readdir(directory)).toEqual([])
  })

  it('does not create the directory', async () => {
    const directory = fresh()
    expect(await new FileStore({ directory }).remove(generateSessionId())).toBe(false)
    expect(await readdir(directory).catch(() => 'absent')).toBe('absent')
  })
})

describe('fileStore.listByUser()', () => {
  it("lists a user's live sessions, and only theirs", async () => {
    const store = new FileStore({ directory: fresh() })
    const [a, b, c, d] = [1, 2, 3, 4].map(() => generateSessionId())
    const va = (await store.write(a!, record('ada at home', 'ada'), null))!
    const vb = (await store.write(b!, record('ada at work', 'ada'), null))!
    await store.write(c!, record('bob', 'bob'), null)
    await store.write(d!, record('nobody'), null)
    const listed = await store.listByUser('ada')
    expect(listed.sort((x, y) => x.record.localeCompare(y.record))).toEqual([
      { id: a, record: 'ada at home', version: va },
      { id: b, record: 'ada at work', version: vb },
    ])
    expect((await store.listByUser('bob')).map((session) => session.id)).toEqual([c])
    expect(await store.listByUser('carol')).toEqual([])
  })

  it('keeps one entry per session however often it is rewritten', async () => {
    const directory = fresh()
    const store = new FileStore({ directory })
    const id = generateSessionId()
    let version = (await store.write(id, record('1', 'ada'), null))!
    for (let i = 2; i <= 5; i++) version = (await store.write(id, record(`${i}`, 'ada'), version))!
    expect(await store.listByUser('ada')).toEqual([{ id, record: '5', version }])
    expect(await readdir(join(directory, 'users', userKey('ada')))).toEqual([id])
  })

  it('moves the entry when the session is bound to another user, and drops it when unbound', async () => {
    const directory = fresh()
    const store = new FileStore({ directory })
    const id = generateSessionId()
    const v1 = (await store.write(id, record('ada', 'ada'), null))!
    const v2 = (await store.write(id, record('bob', 'bob'), v1))!
    expect(await store.listByUser('ada')).toEqual([])
    expect(await store.listByUser('bob')).toEqual([{ id, record: 'bob', version: v2 }])
    await store.write(id, record('signed out'), v2)
    expect(await store.listByUser('bob')).toEqual([])
    // Users who have no session left leave no folder behind.
    expect(await readdir(join(directory, 'users'))).toEqual([])
  })

  it('loses the entry with remove() and with the v1 delete()', async () => {
    const directory = fresh()
    const store = new FileStore({ directory })
    const [a, b] = [generateSessionId(), generateSessionId()]
    await store.write(a, record('a', 'ada'), null)
    await store.write(b, record('b', 'ada'), null)
    expect(await store.remove(a)).toBe(true)
    expect((await store.listByUser('ada')).map((session) => session.id)).toEqual([b])
    await store.delete(b)
    expect(await store.listByUser('ada')).toEqual([])
    expect(await readdir(join(directory, 'users'))).toEqual([])
  })

  it('never lists an expired session, and sweep() removes its entry', async () => {
    const directory = fresh()
    const store = new FileStore({ directory })
    const [short, long] = [generateSessionId(), generateSessionId()]
    await store.write(short, { ...record('short', 'ada'), expiresAt: Date.now() + 50 }, null)
    await store.write(long, record('long', 'ada'), null)
    await sleep(100)
    expect((await store.listByUser('ada')).map((session) => session.id)).toEqual([long])
    expect(await store.sweep()).toBe(1)
    expect(await readdir(join(directory, 'users', userKey('ada')))).toEqual([long])
  })

  it('ignores an entry whose session is gone, and sweep() removes it and the empty folder', async () => {
    const directory = fresh()
    const store = new FileStore({ directory })
    const id = generateSessionId()
    await store.write(id, record('x', 'ada'), null)
    // What a crash between removing a session and its entry leaves behind.
    await rm(join(directory, `${id}.session`))
    expect(await store.listByUser('ada')).toEqual([])
    expect(await store.sweep()).toBe(0)
    expect(await readdir(join(directory, 'users'))).toEqual([])
  })

  it('never puts a user id in a path', async () => {
    const directory = fresh()
    const store = new FileStore({ directory })
    const userId = '../../etc/passwd\0ada@example.com'
    const id = generateSessionId()
    const version = await store.write(id, record('x', userId), null)
    expect(await store.listByUser(userId)).toEqual([{ id, record: 'x', version }])
    const names = await readdir(directory, { recursive: true })
    expect(names.sort()).toEqual(
      [
        `${id}.session`,
        'users',
        join('users', userKey(userId)),
        join('users', userKey(userId), id),
      ].sort(),
    )
    const text = await readFile(join(directory, `${id}.session`), 'utf8')
    expect(text).not.toContain('ada@example.com')
    expect(userKey(userId)).toMatch(/^[A-Za-z0-9_-]{43}$/)
  })

  it('returns [] before the directory exists, without creating it', async () => {
    const directory = fresh()
    expect(await new FileStore({ directory }).listByUser('ada')).toEqual([])
    expect(await readdir(directory).catch(() => 'absent')).toBe('absent')
  })

  it('lists no session from a file another record was planted in', async () => {
    const directory = fresh()
    const store = new FileStore({ directory })
    const id = generateSessionId()
    await store.write(id, record('bob', 'bob'), null)
    // An entry under ada's key for bob's session: the record's own header decides.
    await writeFile(join(directory, 'users', userKey('bob'), generateSessionId()), '')
    await store.write(generateSessionId(), record('ada', 'ada'), null)
    await writeFile(join(directory, 'users', userKey('ada'), id), '')
    expect((await store.listByUser('ada')).map((session) => session.record)).toEqual(['ada'])
  })
})
