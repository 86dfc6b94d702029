import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import {
  chmod,
  chown,
  mkdir,
  mkdtemp,
  readdir,
  rm,
  stat,
  symlink,
  writeFile,
} from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest'
import {
  SessionConfigError,
  SessionStoreError,
  createSessions,
  generateSessionId,
  sign,
} from '@fetch-session/core'
import { FileStore } from './file-store.ts'

// Another user's files can only be made by root; elsewhere these tests are skipped.
const isRoot = process.getuid?.() === 0
const NOBODY = 65534
const SETPRIV = '/usr/bin/setpriv'

let root: string
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'fetch-session-file-directory-'))
})
afterAll(() => rm(root, { recursive: true, force: true }))

let count = 0
const fresh = () => join(root, `store-${++count}`)
const later = () => Date.now() + 60 * 60 * 1000
const write = (record: string, userId: string | null = null) => ({
  record,
  expiresAt: later(),
  userId,
})

// Every operation of a store on a refused directory rejects with the same error.
async function expectRefused(store: FileStore, reason: RegExp): Promise<void> {
  const id = generateSessionId()
  const calls = [
    () => store.read(id),
    () => store.get(id),
    () => store.write(id, write('x'), null),
    () => store.set(id, 'x', later()),
    () => store.remove(id),
    () => store.delete(id),
    () => store.listByUser('ada'),
    () => store.sweep(),
  ]
  for (const call of calls) {
    const error = await call().then(
      () => null,
      (error: unknown) => error,
    )
    expect(error).toBeInstanceOf(SessionConfigError)
    expect((error as Error).message).toMatch(reason)
    expect((error as Error).message).not.toContain(id)
  }
}

describe('FileStore directory checks', () => {
  it('accepts the directory it creates, private to its owner', async () => {
    const directory = join(fresh(), 'nested')
    const store = new FileStore({ directory })
    await store.write(generateSessionId(), write('x'), null)
    expect((await stat(directory)).mode & 0o777).toBe(0o700)
  })

  it.each([0o700, 0o750, 0o755])('accepts an existing directory of mode %o', async (mode) => {
    const directory = fresh()
    await mkdir(directory)
    await chmod(directory, mode)
    const store = new FileStore({ directory })
    const id = generateSessionId()
    const version = await store.write(id, write('x'), null)
    expect(await store.read(id)).toEqual({ record: 'x', version })
  })

  it('refuses a directory that is a symbolic link, at first use rather than at construction', async () => {
    const target = fresh()
    await mkdir(target, { mode: 0o700 })
    const link = fresh()
    await symlink(target, link)
    const store = new FileStore({ directory: link })
    await expectRefused(store, /symbolic link/)
    expect(await readdir(target)).toEqual([])
  })

  it.each([0o770, 0o720, 0o707, 0o702, 0o777, 0o1777])(
    'refuses a directory of mode %o, which others can write to',
    async (mode) => {
      const directory = fresh()
      await mkdir(directory)
      await chmod(directory, mode)
      await expectRefused(new FileStore({ directory }), /can write to it/)
      expect(await readdir(directory)).toEqual([])
    },
  )

  it('refuses a path that is a file', async () => {
    const directory = fresh()
    await writeFile(directory, '')
    await expectRefused(new FileStore({ directory }), /not a directory/)
  })

  it('checks again after a refusal, so that a fixed directory works without a restart', async () => {
    const directory = fresh()
    await mkdir(directory)
    await chmod(directory, 0o777)
    const store = new FileStore({ directory })
    const id = generateSessionId()
    await expect(store.write(id, write('x'), null)).rejects.toThrow(SessionConfigError)
    await chmod(directory, 0o700)
    const version = await store.write(id, write('x'), null)
    expect(await store.read(id)).toEqual({ record: 'x', version })
  })

  it('fails a load through the core with a SessionStoreError caused by the refusal', async () => {
    const directory = fresh()
    await mkdir(directory)
    await chmod(directory, 0o777)
    const secret = 'k3Jd9-Qx7pLm2VbN8rTz4WcY6hGf1sAe'
    const sessions = createSessions({
      secrets: secret,
      store: new FileStore({ directory }),
      cookie: { name: 'sid' },
    })
    const cookie = `sid=${encodeURIComponent(await sign(generateSessionId(), secret))}`
    const error = await sessions
      .load(new Request('http://localhost/', { headers: { cookie } }))
      .catch((error: unknown) => error)
    expect(error).toBeInstanceOf(SessionStoreError)
    expect((error as Error).cause).toBeInstanceOf(SessionConfigError)
  })

  it.skipIf(!isRoot)('refuses a directory owned by another user', async () => {
    const directory = fresh()
    await mkdir(directory, { mode: 0o700 })
    await chown(directory, NOBODY, NOBODY)
    await expectRefused(new FileStore({ directory }), /owned by uid 65534/)
  })

  it.skipIf(!isRoot || !existsSync(SETPRIV))(
    'refuses a directory another user created first, with a planted session, as under /tmp',
    async () => {
      // A directory anyone may create entries in, as /tmp is (outside the private root).
      const shared = await mkdtemp(join(tmpdir(), 'fetch-session-shared-'))
      onTestFinished(() => rm(shared, { recursive: true, force: true }))
      await chmod(shared, 0o1777)
      const directory = join(shared, 'sessions')
      const id = generateSessionId()
      const planted = `${later()} 0123456789abcdef -\n{"d":{"role":"admin"}}`
      // The other user, in a process of its own, gets there before the server starts.
      await promisify(execFile)(SETPRIV, [
        `--reuid=${NOBODY}`,
        `--regid=${NOBODY}`,
        '--clear-groups',
        'sh',
        '-c',
        'mkdir -m 700 "$0" && printf %s "$1" > "$0/$2.session"',
        directory,
        planted,
        id,
      ])
      expect((await stat(join(directory, `${id}.session`))).uid).toBe(NOBODY)
      const store = new FileStore({ directory })
      await expect(store.read(id)).rejects.toThrow(SessionConfigError)
      await expect(store.get(id)).rejects.toThrow(/owned by uid 65534/)
    },
  )

  it.skipIf(!isRoot)(
    'reads a session file owned by another user as absent, and never removes it',
    async () => {
      const directory = fresh()
      const store = new FileStore({ directory })
      const planted = generateSessionId()
      const path = join(directory, `${planted}.session`)
      await store.write(planted, write('mine', 'ada'), null)
      const original = (await store.read(planted))!
      await chown(path, NOBODY, NOBODY)
      expect(await store.read(planted)).toBeNull()
      expect(await store.get(planted)).toBeNull()
      expect(await store.listByUser('ada')).toEqual([])
      // Not a live session, so a write at its version conflicts, and a removal removes nothing.
      expect(await store.write(planted, write('y'), original.version)).toBeNull()
      expect(await store.remove(planted)).toBe(false)
      await store.sweep()
      expect((await stat(path)).uid).toBe(NOBODY)
      // Its id reads as free: a new session written there replaces it with a file of ours.
      const created = await store.write(planted, write('replaced'), null)
      expect(await store.read(planted)).toEqual({ record: 'replaced', version: created })
      expect((await stat(path)).uid).toBe(0)
    },
  )
})
