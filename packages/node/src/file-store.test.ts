import {
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  rm,
  stat,
  symlink,
  utimes,
  writeFile,
} from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SessionConfigError, createSessions, generateSessionId, sign } from '@fetch-session/core'
import { SECRET_A } from '@fetch-session/test-support'
import { FileStore } from './file-store.ts'
import { serve } from './serve.ts'
import { baseUrl, close } from './test-support/servers.ts'

let root: string
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'fetch-session-file-store-'))
})
afterAll(() => rm(root, { recursive: true, force: true }))

let count = 0
// A directory of its own per test, inside the file's temporary root.
const fresh = () => join(root, `store-${++count}`)
const later = () => Date.now() + 60 * 60 * 1000
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describe('new FileStore()', () => {
  it.each([undefined, '', 42, 'dir\0name'])('refuses the directory %j', (directory) => {
    expect(() => new FileStore({ directory } as never)).toThrow(SessionConfigError)
  })

  it('creates the directory at the first write, private to its owner, and files readable by the owner only', async () => {
    const directory = join(fresh(), 'nested', 'sessions')
    const store = new FileStore({ directory })
    const id = generateSessionId()
    expect(await store.get(id)).toBeNull()
    await store.set(id, 'record', later())
    expect((await stat(directory)).mode & 0o777).toBe(0o700)
    expect((await stat(join(directory, `${id}.session`))).mode & 0o777).toBe(0o600)
    expect(await readdir(directory)).toEqual([`${id}.session`])
  })

  it('keeps the expiry, version and user with the record, in one file named after the id', async () => {
    const directory = fresh()
    const store = new FileStore({ directory })
    const id = generateSessionId()
    const expiresAt = later()
    await store.set(id, '{"d":{}}\nsecond line', expiresAt)
    const { version } = (await store.read(id))!
    expect(version).toMatch(/^[0-9a-f]{16}$/)
    const text = await readFile(join(directory, `${id}.session`), 'utf8')
    expect(text).toBe(`${expiresAt} ${version} -\n{"d":{}}\nsecond line`)
    expect(await store.get(id)).toBe('{"d":{}}\nsecond line')
  })

  it('reads a file written before versions existed, as version 0, and writes over it', async () => {
    const directory = fresh()
    const store = new FileStore({ directory })
    await store.set(generateSessionId(), 'make the directory', later())
    const id = generateSessionId()
    await writeFile(join(directory, `${id}.session`), `${later()}\nan older record`, {
      mode: 0o600,
    })
    expect(await store.read(id)).toEqual({ record: 'an older record', version: '0' })
    const version = await store.write(
      id,
      { record: 'newer', expiresAt: later(), userId: null },
      '0',
    )
    expect(await store.read(id)).toEqual({ record: 'newer', version })
  })

  it('writes again after its directory was removed', async () => {
    const directory = fresh()
    const store = new FileStore({ directory })
    await store.set(generateSessionId(), 'one', later())
    await rm(directory, { recursive: true })
    const id = generateSessionId()
    await store.set(id, 'two', later())
    expect(await store.get(id)).toBe('two')
  })
})

describe('fileStore.get()', () => {
  it('removes the file of an expired session when reading it', async () => {
    const directory = fresh()
    const store = new FileStore({ directory })
    const id = generateSessionId()
    await store.set(id, 'short-lived', Date.now() + 50)
    await sleep(100)
    expect(await store.get(id)).toBeNull()
    expect(await readdir(directory)).toEqual([])
  })

  it('reads a file it did not write as no session', async () => {
    const directory = fresh()
    const store = new FileStore({ directory })
    const id = generateSessionId()
    await store.set(generateSessionId(), 'other', later())
    await writeFile(join(directory, `${id}.session`), 'not a session file')
    expect(await store.get(id)).toBeNull()
  })

  it('does not follow a symbolic link planted in the directory', async () => {
    const directory = fresh()
    const store = new FileStore({ directory })
    const outside = fresh() + '-outside'
    await writeFile(outside, `${later()}\nsecret outside`)
    await store.set(generateSessionId(), 'make the directory', later())
    const id = generateSessionId()
    await symlink(outside, join(directory, `${id}.session`))
    expect(await store.get(id)).toBeNull()
  })
})

describe('FileStore path safety', () => {
  const crafted = [
    '../../../../../../../../etc/passwd',
    '../outside-the-store-directory-x',
    '..%2F..%2F..%2Foutside-directory',
    '..%5C..%5C..%5Coutside-directory',
    '%2e%2e%2f%2e%2e%2foutside-direct',
    'abcdefghijklmnopqrstuvwxyz0123/x',
    'abcdefghijklmnopqrstuvwxyz01234\\',
    'abcdefghijklmnopqrstuvwxyz01234\0',
    'abcdefghijklmnopqrstuvwxyz01234%00',
    'abcdefghijklmnopqrstuvwxyz0.session',
    '/etc/passwd',
    'C:\\Windows\\win.ini',
    '',
    '.',
    '..',
  ]

  it.each(crafted)('refuses the id %j for every operation', async (id) => {
    const parent = fresh()
    const directory = join(parent, 'sessions')
    const store = new FileStore({ directory })
    await store.set(generateSessionId(), 'a real session', later())
    const before = await readdir(parent, { recursive: true })
    expect(await store.get(id)).toBeNull()
    await expect(store.set(id, 'payload', later())).rejects.toThrow(TypeError)
    await expect(store.delete(id)).resolves.toBeUndefined()
    expect(await readdir(parent, { recursive: true })).toEqual(before)
  })

  it('is never handed a crafted id from a cookie, even one signed with the secret', async () => {
    const asked: string[] = []
    class WatchedStore extends FileStore {
      override get(id: string): Promise<string | null> {
        asked.push(id)
        return super.get(id)
      }
      override read(id: string) {
        asked.push(id)
        return super.read(id)
      }
    }
    const parent = fresh()
    const store = new WatchedStore({ directory: join(parent, 'sessions') })
    const sessions = createSessions({ secrets: SECRET_A, store })
    const app = sessions.wrap(async (request) => {
      const session = await sessions.load(request)
      return Response.json({ isNew: session.isNew })
    })
    const server = await serve(app, { port: 0, hostname: '127.0.0.1' })
    // A real id, signed the same way, does reach the store: the cookies below are well formed.
    const control = generateSessionId()
    try {
      for (const id of [control, ...crafted]) {
        const signed = await sign(id, SECRET_A)
        const response = await fetch(baseUrl(server), {
          headers: { cookie: `session=${encodeURIComponent(signed)}` },
        })
        expect(await response.json()).toEqual({ isNew: true })
      }
    } finally {
      await close(server)
    }
    expect(asked).toEqual([control])
    expect(await readdir(parent).catch(() => [])).toEqual([])
  })

  it('never names the id in its errors', async () => {
    const parent = fresh()
    const directory = join(parent, 'sessions')
    const store = new FileStore({ directory })
    // A file where the directory should be: every operation fails with ENOTDIR.
    await writeFile(parent, 'in the way').catch(() => {})
    const id = generateSessionId()
    const failures = await Promise.all([
      store.set(id, 'x', later()).catch((error: unknown) => error),
      store.get(id).catch((error: unknown) => error),
      store.delete(id).catch((error: unknown) => error),
    ])
    for (const error of failures) {
      expect(error).toBeInstanceOf(Error)
      expect(String(error)).not.toContain(id)
      expect(JSON.stringify(error)).not.toContain(id)
      expect((error as Error).cause).toBeUndefined()
      expect((error as { code?: string }).code).toBe('ENOTDIR')
    }
  })
})

describe('fileStore.sweep()', () => {
  it('removes expired session files and returns how many', async () => {
    const directory = fresh()
    const store = new FileStore({ directory })
    const kept = generateSessionId()
    await store.set(kept, 'kept', later())
    await store.set(generateSessionId(), 'soon gone', Date.now() + 50)
    await store.set(generateSessionId(), 'soon gone too', Date.now() + 50)
    await sleep(100)
    expect(await store.sweep()).toBe(2)
    expect(await readdir(directory)).toEqual([`${kept}.session`])
    expect(await store.get(kept)).toBe('kept')
    expect(await store.sweep()).toBe(0)
  })

  it('removes a temporary file left by a crash mid-write, which never hid the session', async () => {
    const directory = fresh()
    const store = new FileStore({ directory })
    const id = generateSessionId()
    await store.set(id, 'whole', later())
    // What a process killed between writing and renaming leaves behind: half a record.
    const orphan = join(directory, `${id}.0123456789abcdef.tmp`)
    const recent = join(directory, `${id}.fedcba9876543210.tmp`)
    await writeFile(orphan, `${later()}\n{"d":{"half`)
    await writeFile(recent, `${later()}\n{"d":{"being written`)
    const hourAgo = new Date(Date.now() - 60 * 60 * 1000)
    await utimes(orphan, hourAgo, hourAgo)
    expect(await store.get(id)).toBe('whole')
    expect(await store.sweep()).toBe(0)
    // A temporary file still being written by another process is left alone.
    expect((await readdir(directory)).sort()).toEqual([
      `${id}.fedcba9876543210.tmp`,
      `${id}.session`,
    ])
  })

  it('leaves files it did not write alone', async () => {
    const directory = fresh()
    const store = new FileStore({ directory })
    await store.set(generateSessionId(), 'make the directory', Date.now() + 50)
    await writeFile(join(directory, 'README'), '0\nnot a session')
    await writeFile(join(directory, 'short.session'), '0\nnot a session id')
    await sleep(100)
    expect(await store.sweep()).toBe(1)
    expect((await readdir(directory)).sort()).toEqual(['README', 'short.session'])
  })

  it('sweeps past a symbolic link or a directory named like a session file', async () => {
    const directory = fresh()
    const store = new FileStore({ directory })
    await store.set(generateSessionId(), 'soon gone', Date.now() + 50)
    const link = `${generateSessionId()}.session`
    const folder = `${generateSessionId()}.session`
    await symlink(join(directory, 'nowhere'), join(directory, link))
    await mkdir(join(directory, folder))
    await sleep(100)
    expect(await store.sweep()).toBe(1)
    expect((await readdir(directory)).sort()).toEqual([link, folder].sort())
  })

  it('returns 0 when the directory does not exist yet', async () => {
    expect(await new FileStore({ directory: fresh() }).sweep()).toBe(0)
  })
})
