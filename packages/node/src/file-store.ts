import { randomBytes } from 'node:crypto'
import { constants } from 'node:fs'
import { lstat, mkdir, open, readdir, rename, rmdir, unlink } from 'node:fs/promises'
import type { FileHandle } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { SessionConfigError, isSessionId } from '@fetch-session/core'
import type {
  SessionStore,
  SessionVersion,
  SessionWrite,
  StoredSession,
  UserSession,
  VersionedSessionStore,
} from '@fetch-session/core'
import { checkDirectory } from './file-directory.ts'
import { acquireLock, breakIfStale, tryLock } from './file-lock.ts'
import type { FileLock, LockTiming } from './file-lock.ts'
import { HEADER_MAX, formatHeader, parseHeader, userKey } from './file-record.ts'
import type { SessionFileHeader } from './file-record.ts'

/** Options of `FileStore`. */
export interface FileStoreOptions {
  /**
   * The directory holding one file per session; created (mode 0700) when missing. It must be a
   * real directory (not a symbolic link), owned by the process's user and writable by no one
   * else, or the store refuses it. Give the store a directory of its own: `sweep()` removes
   * expired session files from it. Required.
   */
  directory: string
  /**
   * Flush each session file to disk before it replaces the previous one, so that even a power
   * cut leaves the old session or the new one, never a truncated file. Without it, a crash of
   * the process still cannot leave half a session, but a crash of the machine might. Default:
   * `true`.
   */
  fsync?: boolean
  /**
   * The most session files kept, so that a flood of new visitors cannot fill the disk. When a
   * new session would go past it, the store first removes expired sessions and then those
   * closest to expiring (the least recently active, as a rule) until a tenth of the room is
   * free again. At least 1. Default: 100000.
   */
  maxSessions?: number
}

// Files in the directory. Ids have been checked by `isSessionId`: 32 characters of
// [A-Za-z0-9_-], so no separator, dot segment or NUL can reach a path.
const SESSION_FILE = /^([A-Za-z0-9_-]{32})\.session$/
// `<id>.lock`: held by whoever is changing the session.
const LOCK_FILE = /^([A-Za-z0-9_-]{32})\.lock$/
// `<id>.<random>.tmp`: a record being written, renamed over the session file once complete, or
// a stale lock being removed.
const TEMP_FILE = /^[A-Za-z0-9_-]{32}\.[0-9a-f]{16}\.tmp$/
// `users/<user key>/<id>`: the user index, one empty file per session of the user.
const USERS = 'users'
const USER_KEY = /^[A-Za-z0-9_-]{43}$/
// A temporary file this old was left by a crash mid-write; writes take milliseconds.
const TEMP_MAX_AGE = 10 * 60 * 1000
// A lock is held for one write, milliseconds; one held 10 s was left by a process that stopped,
// and a holder that slow finds out before it renames anything into place.
const LOCK_TIMING: LockTiming = { staleAfter: 10_000, waitFor: 15_000 }
// Files opened at once by `sweep()` and `listByUser()`.
const CONCURRENCY = 8
// Never follow a symbolic link planted in the directory (where the platform can refuse to).
const NOFOLLOW = constants.O_NOFOLLOW ?? 0
const READ_FLAGS = constants.O_RDONLY | NOFOLLOW
const ENTRY_FLAGS = constants.O_WRONLY | constants.O_CREAT | NOFOLLOW

// A session file as found on disk, owned by this process's user and written by this store.
interface Found {
  header: SessionFileHeader
  // The record, when the whole file was read; '' when only the header was.
  record: string
}

/**
 * A store keeping each session in a file of its own, so that sessions survive restarts: the
 * embedded store for Node servers on one machine, one process or several sharing the directory.
 * Each file holds a header line (expiry, version, user) and the record.
 *
 * Version 2 of the store contract: every change of a session is a compare-and-set, atomic
 * across the processes of one machine, under a lock file per session (`<id>.lock`, created
 * with O_EXCL, broken when its holder has died or after 10 s). Records are written to a
 * temporary file renamed over the session's file, so reads take no lock and see the old record
 * or the new one, never part of one. A user index (`users/<hash of the user id>/<id>`) lists a
 * user's sessions. Bounded by `maxSessions`; expired files are removed when read and by
 * `sweep()`. The directory is checked at first use, ids before they touch a path, and files not
 * owned by the process's user are never read. Files are created with mode 0600.
 */
export class FileStore implements SessionStore, VersionedSessionStore {
  /** The absolute path of the directory. */
  readonly directory: string
  /** The resolved bound on the number of session files. */
  readonly maxSessions: number
  readonly #fsync: boolean
  // Set once the directory has passed its checks.
  #checked = false
  // The operations of this process waiting on each session, so that they queue here instead of
  // polling the lock file.
  readonly #queues = new Map<string, Promise<void>>()
  // Session files in the directory, as counted at the last scan plus those created since by this
  // process; unknown until the first new session.
  #estimate: number | undefined
  #pruning: Promise<unknown> | undefined

  /**
   * @param options see `FileStoreOptions`
   * @throws SessionConfigError when `directory` is not a non-empty string, or `maxSessions` not
   *   an integer of at least 1
   */
  constructor(options: FileStoreOptions) {
    const directory = (options as Partial<FileStoreOptions> | undefined)?.directory
    if (typeof directory !== 'string' || directory === '' || directory.includes('\0')) {
      throw new SessionConfigError(
        'FileStore needs a `directory`: the path of a directory for sessions',
      )
    }
    const max = options.maxSessions ?? 100_000
    if (!Number.isSafeInteger(max) || max < 1) {
      throw new SessionConfigError('FileStore `maxSessions` must be an integer of at least 1')
    }
    this.directory = resolve(directory)
    this.maxSessions = max
    this.#fsync = options.fsync ?? true
  }

  /**
   * Reads a session with its version, without taking its lock. An expired session's file is
   * removed, unless a writer holds it.
   * @param id the session id; anything but a session id reads as absent
   * @returns the record and its version, or `null` when absent, expired, or in a file this
   *   store did not write or that another user owns
   * @throws SessionConfigError when the directory fails its checks (see `FileStoreOptions`)
   */
  read(id: string): Promise<StoredSession | null> {
    return this.#read(id)
  }

  /**
   * Writes a session if it is still at `expected` (compare-and-set), atomically across the
   * processes of this machine. A record whose expiry has passed is removed instead.
   * @param id the session id
   * @param write the record, its expiry and its user
   * @param expected the version read before, or `null` to create the session only if no live
   *   record has its id
   * @returns the new version, or `null` when the stored session is not at `expected`
   * @throws TypeError when `id` is not a session id, or `write` is malformed
   * @throws SessionConfigError when the directory fails its checks
   */
  async write(
    id: string,
    write: SessionWrite,
    expected: SessionVersion | null,
  ): Promise<SessionVersion | null> {
    checkId(id)
    checkWrite(write)
    if (expected !== null && typeof expected !== 'string' && typeof expected !== 'number') {
      throw new TypeError('FileStore needs a version or null as `expected`')
    }
    // Judged when called: a record that expires while waiting for the lock is written anyway,
    // and reads as expired.
    const expired = write.expiresAt <= Date.now()
    try {
      return await this.#exclusive(id, true, null, async (lock) => {
        const current = await this.#inspect(id, false)
        const live = current !== null && current.header.expiresAt > Date.now()
        if (expected === null ? live : !live || current.header.version !== expected) return null
        return this.#put(id, lock, current, expired ? null : write)
      })
    } catch (error) {
      throw storeError('write a session file', error)
    }
  }

  /**
   * Removes a session and its entry in the user index.
   * @param id the session id; anything but a session id is absent
   * @param expected when given, remove only if the session is at this version
   * @returns whether a live session was removed
   * @throws SessionConfigError when the directory fails its checks
   */
  async remove(id: string, expected?: SessionVersion): Promise<boolean> {
    if (!isSessionId(id)) return false
    try {
      return await this.#exclusive(id, false, false, async () => {
        const current = await this.#inspect(id, false)
        if (current === null) return false
        const live = current.header.expiresAt > Date.now()
        if (live && expected !== undefined && current.header.version !== expected) return false
        await this.#erase(id, current.header)
        return live
      })
    } catch (error) {
      throw storeError('delete a session file', error)
    }
  }

  /**
   * Lists the live sessions bound to a user (`SessionWrite.userId`), in no particular order.
   * @param userId the user
   * @returns the user's sessions with their ids; `[]` for a user with none
   * @throws SessionConfigError when the directory fails its checks
   */
  async listByUser(userId: string): Promise<UserSession[]> {
    if (typeof userId !== 'string') throw new TypeError('FileStore needs a string user id')
    try {
      if (!(await this.#open(false))) return []
      const key = userKey(userId)
      const ids = await readdir(join(this.directory, USERS, key)).catch((error: unknown) => {
        if (isCode(error, 'ENOENT')) return []
        throw error
      })
      const now = Date.now()
      const sessions: UserSession[] = []
      await eachLimited(ids.filter(isSessionId), async (id) => {
        const found = await this.#inspect(id, true)
        // An entry outlives its record after a crash, or until the previous user's entry goes.
        if (found === null || found.header.user !== key || found.header.expiresAt <= now) return
        sessions.push({ id, record: found.record, version: found.header.version })
      })
      return sessions
    } catch (error) {
      throw storeError("list a user's session files", error)
    }
  }

  /**
   * Reads a session (version 1 of the contract).
   * @param id the session id; anything but a session id reads as absent
   * @returns the record, or `null` when absent or expired
   */
  async get(id: string): Promise<string | null> {
    return (await this.#read(id))?.record ?? null
  }

  /**
   * Writes a session whatever its version (version 1 of the contract), bound to no user. A
   * record whose expiry has already passed is deleted instead.
   * @param id the session id
   * @param record the serialized session
   * @param expiresAt when the session expires, in milliseconds since the epoch
   * @throws TypeError when `id` is not a session id
   */
  async set(id: string, record: string, expiresAt: number): Promise<void> {
    checkId(id)
    const write = { record, expiresAt, userId: null }
    checkWrite(write)
    if (expiresAt <= Date.now()) return this.delete(id)
    try {
      await this.#exclusive(id, true, null, async (lock) =>
        this.#put(id, lock, await this.#inspect(id, false), write),
      )
    } catch (error) {
      throw storeError('write a session file', error)
    }
  }

  /**
   * Removes a session (version 1 of the contract); removing an absent one is not an error.
   * @param id the session id; anything but a session id is ignored
   */
  async delete(id: string): Promise<void> {
    await this.remove(id)
  }

  /**
   * Removes every expired session file now, the earliest-expiring sessions past `maxSessions`
   * (which another process may have created), index entries whose session is gone, and what a
   * crash left behind (temporary files, locks of dead processes). Expired sessions are never
   * returned anyway; sweeping reclaims their disk space. Schedule it on a long-running server,
   * for example hourly: `setInterval(() => store.sweep().catch(report), 3_600_000).unref()`.
   * @returns how many session files were removed
   */
  async sweep(): Promise<number> {
    try {
      if (!(await this.#open(false))) return 0
      return await this.#scan(this.maxSessions)
    } catch (error) {
      throw storeError('sweep the session directory', error)
    }
  }

  async #read(id: string): Promise<StoredSession | null> {
    if (!isSessionId(id)) return null
    let found: Found | null
    try {
      if (!(await this.#open(false))) return null
      found = await this.#inspect(id, true)
    } catch (error) {
      throw storeError('read a session file', error)
    }
    if (found === null) return null
    if (found.header.expiresAt > Date.now()) {
      return { record: found.record, version: found.header.version }
    }
    // Left for the sweep when it cannot go now: the read's answer is the same.
    await this.#drop(id, found.header.version, true).catch(() => false)
    return null
  }

  // Runs `task` holding the session's lock, after this process's earlier operations on it.
  async #exclusive<T>(
    id: string,
    create: boolean,
    absent: T,
    task: (lock: FileLock) => Promise<T>,
  ): Promise<T> {
    const previous = this.#queues.get(id)
    let done!: () => void
    const turn = new Promise<void>((resolve) => (done = resolve))
    const tail = previous === undefined ? turn : previous.then(() => turn)
    this.#queues.set(id, tail)
    try {
      await previous
      if (!(await this.#open(create))) return absent
      const lock = await this.#lock(id, create)
      if (lock === null) return absent
      try {
        return await task(lock)
      } finally {
        await lock.release()
      }
    } finally {
      done()
      if (this.#queues.get(id) === tail) this.#queues.delete(id)
    }
  }

  async #lock(id: string, create: boolean): Promise<FileLock | null> {
    const path = this.#lockPath(id)
    const aside = () => this.#tempPath(id)
    try {
      return await acquireLock(path, aside, LOCK_TIMING)
    } catch (error) {
      if (!isCode(error, 'ENOENT')) throw error
      // The directory was removed since it was checked: create and check it again.
      this.#checked = false
      if (!create || !(await this.#open(true))) return null
      return await acquireLock(path, aside, LOCK_TIMING)
    }
  }

  // Checks the directory once (see `checkDirectory`); false when it is missing and not created.
  async #open(create: boolean): Promise<boolean> {
    if (!this.#checked) this.#checked = await checkDirectory(this.directory, create)
    return this.#checked
  }

  // Opens a session file and reads its header, or all of it; null when it is absent, not a
  // regular file, owned by another user, or not written by this store.
  async #inspect(id: string, whole: boolean): Promise<Found | null> {
    let file: FileHandle
    try {
      file = await open(this.#path(id), READ_FLAGS)
    } catch (error) {
      // ELOOP: a symbolic link, which this store never writes.
      if (isCode(error, 'ENOENT') || isCode(error, 'ELOOP')) return null
      throw error
    }
    try {
      const stats = await file.stat()
      // Another user's file, in a directory only this one can write to, was put there by root
      // or before the directory was checked: it is not trusted.
      const uid = process.getuid?.()
      if (!stats.isFile() || (uid !== undefined && stats.uid !== uid)) return null
      let text: string
      if (whole) {
        text = await file.readFile('utf8')
      } else {
        const { buffer, bytesRead } = await file.read(Buffer.alloc(HEADER_MAX), 0, HEADER_MAX, 0)
        text = buffer.toString('latin1', 0, bytesRead)
      }
      const parsed = parseHeader(text)
      if (parsed === null) return null
      return { header: parsed.header, record: whole ? text.slice(parsed.length) : '' }
    } finally {
      await file.close().catch(() => {})
    }
  }

  // Writes a session's file under its lock; `current` is what the file held, and `write` null
  // for a record that had expired already, which reads as absent: writing it is removing.
  async #put(
    id: string,
    lock: FileLock,
    current: Found | null,
    write: SessionWrite | null,
  ): Promise<string> {
    const version = randomBytes(8).toString('hex')
    if (write === null) {
      if (current !== null) await this.#erase(id, current.header)
      return version
    }
    const user = write.userId === null ? null : userKey(write.userId)
    const previous = current?.header.user ?? null
    // A new file: room for it first (the lock held is this new id's, which no one else waits on).
    if (current === null) await this.#makeRoom()
    // The new user's entry before the rename and the previous user's after it: a live session
    // is never missing from its user's index.
    if (user !== null && user !== previous) await this.#index(user, id)
    const temp = join(this.directory, `${id}.${version}.tmp`)
    let file: FileHandle | undefined
    try {
      file = await open(temp, 'wx', 0o600)
      const header = formatHeader({ expiresAt: write.expiresAt, version, user })
      await file.writeFile(header + write.record, 'utf8')
      if (this.#fsync) await file.sync()
      await file.close()
      file = undefined
      if (!(await lock.held())) {
        throw Object.assign(new Error('FileStore held a lock past its time'), { code: 'ETIMEDOUT' })
      }
      await rename(temp, this.#path(id))
    } catch (error) {
      await file?.close().catch(() => {})
      await unlink(temp).catch(() => {})
      throw error
    }
    if (current === null && this.#estimate !== undefined) this.#estimate++
    if (previous !== null && previous !== user) await this.#unindex(previous, id)
    return version
  }

  // Removes a session's file and index entry, under its lock.
  async #erase(id: string, header: SessionFileHeader): Promise<void> {
    await unlink(this.#path(id)).catch(ignoreMissing)
    if (this.#estimate !== undefined && this.#estimate > 0) this.#estimate--
    if (header.user !== null) await this.#unindex(header.user, id)
  }

  // Removes a session still at `version` (and expired, when `expiredOnly`) if its lock is free.
  async #drop(id: string, version: string, expiredOnly: boolean): Promise<boolean> {
    const lock = await tryLock(this.#lockPath(id))
    if (lock === null) return false
    try {
      const current = await this.#inspect(id, false)
      if (current === null || current.header.version !== version) return false
      if (expiredOnly && current.header.expiresAt > Date.now()) return false
      await this.#erase(id, current.header)
      return true
    } finally {
      await lock.release()
    }
  }

  async #index(user: string, id: string): Promise<void> {
    const folder = join(this.directory, USERS, user)
    for (let attempt = 0; ; attempt++) {
      try {
        await (await open(join(folder, id), ENTRY_FLAGS, 0o600)).close()
        break
      } catch (error) {
        // Missing for a user's first session, or removed meanwhile with the user's last one.
        if (!isCode(error, 'ENOENT') || attempt === 3) throw error
        await mkdir(folder, { recursive: true, mode: 0o700 })
      }
    }
    // Losing the entry in a power cut would hide the session from the user's logout everywhere.
    if (this.#fsync) {
      const handle = await open(folder, constants.O_RDONLY)
      await handle.sync().finally(() => handle.close())
    }
  }

  async #unindex(user: string, id: string): Promise<void> {
    const folder = join(this.directory, USERS, user)
    await unlink(join(folder, id)).catch(ignoreMissing)
    // The folder goes with the user's last entry (rmdir refuses a folder that is not empty).
    await rmdir(folder).catch(() => {})
  }

  // Makes room for a new session: past `maxSessions`, drops sessions down to nine tenths of it.
  async #makeRoom(): Promise<void> {
    this.#estimate ??= await this.#countFiles()
    if (this.#estimate < this.maxSessions) return
    this.#pruning ??= this.#scan(this.maxSessions - Math.ceil(this.maxSessions / 10)).finally(
      () => (this.#pruning = undefined),
    )
    await this.#pruning
  }

  async #countFiles(): Promise<number> {
    if (!(await this.#open(false))) return 0
    const names = await readdir(this.directory).catch((error: unknown) => {
      if (isCode(error, 'ENOENT')) return []
      throw error
    })
    return names.filter((name) => SESSION_FILE.test(name)).length
  }

  // Sweeps the directory and leaves at most `target` live sessions; returns how many session
  // files it removed.
  async #scan(target: number): Promise<number> {
    const names = await readdir(this.directory).catch((error: unknown) => {
      if (isCode(error, 'ENOENT')) return []
      throw error
    })
    const now = Date.now()
    const live: { id: string; version: string; expiresAt: number }[] = []
    let removed = 0
    await eachLimited(names, async (name) => {
      const path = join(this.directory, name)
      try {
        const session = SESSION_FILE.exec(name)
        const lock = LOCK_FILE.exec(name)
        if (session !== null) {
          const id = session[1]!
          const found = await this.#inspect(id, false)
          if (found === null) return
          const { version, expiresAt } = found.header
          if (expiresAt > now) live.push({ id, version, expiresAt })
          else if (await this.#drop(id, version, true)) removed++
        } else if (lock !== null) {
          await breakIfStale(path, () => this.#tempPath(lock[1]!), LOCK_TIMING.staleAfter)
        } else if (TEMP_FILE.test(name)) {
          const stats = await lstat(path)
          if (stats.isFile() && now - stats.mtimeMs > TEMP_MAX_AGE) await unlink(path)
        }
      } catch (error) {
        // Gone meanwhile (read and removed, or renamed into place), or not a file this store
        // wrote (a symbolic link, a directory): nothing to sweep, and the others still are.
        if (!['ENOENT', 'ELOOP', 'EISDIR'].some((code) => isCode(error, code))) throw error
      }
    })
    let left = live.length
    if (left > target) {
      live.sort((a, b) => a.expiresAt - b.expiresAt)
      for (const { id, version } of live.slice(0, left - target)) {
        if (await this.#drop(id, version, false)) {
          removed++
          left--
        }
      }
    }
    this.#estimate = left
    await this.#sweepIndex()
    return removed
  }

  // Removes index entries whose session is gone, expired or bound to someone else now, and the
  // folders of users left with none.
  async #sweepIndex(): Promise<void> {
    const users = join(this.directory, USERS)
    const keys = await readdir(users).catch(() => [])
    for (const key of keys.filter((name) => USER_KEY.test(name))) {
      const folder = join(users, key)
      const ids = await readdir(folder).catch(() => [])
      await eachLimited(ids.filter(isSessionId), async (id) => {
        // Under the session's lock, so that a write adding this entry has renamed its record.
        const lock = await tryLock(this.#lockPath(id))
        if (lock === null) return
        try {
          const found = await this.#inspect(id, false)
          if (found === null || found.header.user !== key || found.header.expiresAt <= Date.now()) {
            await unlink(join(folder, id)).catch(ignoreMissing)
          }
        } finally {
          await lock.release()
        }
      })
      await rmdir(folder).catch(() => {})
    }
  }

  #path(id: string): string {
    return join(this.directory, `${id}.session`)
  }

  #lockPath(id: string): string {
    return join(this.directory, `${id}.lock`)
  }

  #tempPath(id: string): string {
    return join(this.directory, `${id}.${randomBytes(8).toString('hex')}.tmp`)
  }
}

function checkId(id: string): void {
  if (!isSessionId(id)) throw new TypeError('FileStore refuses an id that is not a session id')
}

function checkWrite(write: SessionWrite): void {
  const { record, expiresAt, userId } = (write ?? {}) as Partial<SessionWrite>
  if (typeof record !== 'string') throw new TypeError('FileStore needs a string record')
  if (typeof expiresAt !== 'number' || !Number.isFinite(expiresAt)) {
    throw new TypeError('FileStore needs a finite expiresAt')
  }
  if (userId !== null && typeof userId !== 'string') {
    throw new TypeError('FileStore needs a string user id or null')
  }
}

// Runs `task` on every item, a few at a time.
async function eachLimited<T>(items: T[], task: (item: T) => Promise<void>): Promise<void> {
  let next = 0
  const worker = async () => {
    while (next < items.length) await task(items[next++]!)
  }
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, items.length) }, worker))
}

function ignoreMissing(error: unknown): void {
  if (!isCode(error, 'ENOENT')) throw error
}

function isCode(error: unknown, code: string): boolean {
  return (error as { code?: unknown } | null)?.code === code
}

// File system errors name the path, and so the session id; the store's own error keeps only the
// operation and the error code. A refused directory is reported as it is.
function storeError(operation: string, error: unknown): Error {
  if (error instanceof SessionConfigError) return error
  const code = (error as { code?: unknown } | null)?.code
  if (typeof code !== 'string') {
    const name = error instanceof Error ? error.name : 'Error'
    return new Error(`FileStore could not ${operation} (${name})`)
  }
  const sanitized = new Error(`FileStore could not ${operation} (${code})`)
  return Object.assign(sanitized, { code })
}
