import { randomBytes } from 'node:crypto'
import { constants } from 'node:fs'
import { lstat, mkdir, open, readdir, rename, unlink } from 'node:fs/promises'
import type { FileHandle } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { SessionConfigError, isSessionId } from '@fetch-session/core'
import type { SessionStore } from '@fetch-session/core'

/** Options of `FileStore`. */
export interface FileStoreOptions {
  /**
   * The directory holding one file per session; created (mode 0700) when missing. Give the store
   * a directory of its own: `sweep()` removes expired session files from it. Required.
   */
  directory: string
  /**
   * Flush each session file to disk before it replaces the previous one, so that even a power
   * cut leaves the old session or the new one, never a truncated file. Without it, a crash of
   * the process still cannot leave half a session, but a crash of the machine might. Default:
   * `true`.
   */
  fsync?: boolean
}

// A session file is named after its id, which `isSessionId` has checked: 32 characters of
// [A-Za-z0-9_-], so no separator, dot segment or NUL can reach a path.
const SUFFIX = '.session'
const SESSION_FILE = /^([A-Za-z0-9_-]{32})\.session$/
// Temporary files: `<id>.<random>.tmp`, renamed over the session file once complete.
const TEMP_FILE = /^[A-Za-z0-9_-]{32}\.[0-9a-f]{16}\.tmp$/
// A temporary file this old was left by a crash mid-write; writes take milliseconds.
const TEMP_MAX_AGE = 10 * 60 * 1000
// The first line of a session file is its expiry, in milliseconds since the epoch.
const EXPIRY_LINE = /^(\d{1,16})\n/
// Never follow a symbolic link planted in the directory (where the platform can refuse to).
const READ_FLAGS = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0)

/**
 * A store keeping each session in a file of its own, so that sessions survive restarts: the
 * embedded store for a single Node server (processes sharing a directory on one machine work
 * too). Each file holds the record and its expiry time.
 *
 * Writes are atomic: the record goes to a temporary file in the same directory, which is then
 * renamed over the session's file, so a reader sees the old record or the new one, never part
 * of one, and concurrent writes to one session leave one of them whole. Expired files are
 * removed when read, and by `sweep()`, which a long-running server calls on a timer. Ids are
 * checked with `isSessionId` before they touch a path. Files are created with mode 0600.
 */
export class FileStore implements SessionStore {
  /** The absolute path of the directory. */
  readonly directory: string
  readonly #fsync: boolean
  #ready: Promise<void> | undefined

  /**
   * @param options see `FileStoreOptions`
   * @throws SessionConfigError when `directory` is not a non-empty string
   */
  constructor(options: FileStoreOptions) {
    const directory = (options as Partial<FileStoreOptions> | undefined)?.directory
    if (typeof directory !== 'string' || directory === '' || directory.includes('\0')) {
      throw new SessionConfigError(
        'FileStore needs a `directory`: the path of a directory for sessions',
      )
    }
    this.directory = resolve(directory)
    this.#fsync = options.fsync ?? true
  }

  /**
   * Reads a session, removing its file when it has expired.
   * @param id the session id; anything but a session id reads as absent
   * @returns the record, or `null` when absent or expired
   */
  async get(id: string): Promise<string | null> {
    if (!isSessionId(id)) return null
    const path = this.#path(id)
    let file: FileHandle
    try {
      file = await open(path, READ_FLAGS)
    } catch (error) {
      // ELOOP: a symbolic link, which this store never writes; read it as no session.
      if (isCode(error, 'ENOENT') || isCode(error, 'ELOOP')) return null
      throw storeError('read', error)
    }
    try {
      const text = await file.readFile('utf8')
      const expiry = EXPIRY_LINE.exec(text)
      // A file that does not start with an expiry line was not written by this store.
      if (expiry === null) return null
      if (Number(expiry[1]) > Date.now()) return text.slice(expiry[0].length)
      await removeIfSame(path, file)
      return null
    } catch (error) {
      throw storeError('read', error)
    } finally {
      await file.close().catch(() => {})
    }
  }

  /**
   * Writes a session atomically: to a temporary file, flushed, then renamed over the old one.
   * A record whose expiry has already passed is deleted instead.
   * @param id the session id
   * @param record the serialized session
   * @param expiresAt when the session expires, in milliseconds since the epoch
   * @throws TypeError when `id` is not a session id
   */
  async set(id: string, record: string, expiresAt: number): Promise<void> {
    if (!isSessionId(id)) throw new TypeError('FileStore refuses an id that is not a session id')
    if (!Number.isFinite(expiresAt)) throw new TypeError('FileStore needs a finite expiresAt')
    if (expiresAt <= Date.now()) return this.delete(id)
    const path = this.#path(id)
    // A name of its own per write: concurrent writes to one session never share a temporary
    // file, and the last rename wins with a whole record.
    const temp = join(this.directory, `${id}.${randomBytes(8).toString('hex')}.tmp`)
    let file: FileHandle | undefined
    try {
      file = await this.#create(temp)
      await file.writeFile(`${Math.ceil(expiresAt)}\n${record}`, 'utf8')
      if (this.#fsync) await file.sync()
      await file.close()
      file = undefined
      await rename(temp, path)
    } catch (error) {
      await file?.close().catch(() => {})
      await unlink(temp).catch(() => {})
      throw storeError('write', error)
    }
  }

  /**
   * Removes a session's file; removing an absent one is not an error.
   * @param id the session id; anything but a session id is ignored
   */
  async delete(id: string): Promise<void> {
    if (!isSessionId(id)) return
    try {
      await unlink(this.#path(id))
    } catch (error) {
      if (!isCode(error, 'ENOENT')) throw storeError('delete', error)
    }
  }

  /**
   * Removes every expired session file now, and temporary files that a crash mid-write left
   * behind. Expired sessions are never returned anyway; sweeping reclaims their disk space.
   * Schedule it on a long-running server, for example hourly:
   * `setInterval(() => store.sweep().catch(report), 3_600_000).unref()`.
   * @returns how many expired session files were removed
   */
  async sweep(): Promise<number> {
    let names: string[]
    try {
      names = await readdir(this.directory)
    } catch (error) {
      if (isCode(error, 'ENOENT')) return 0
      throw storeError('sweep', error)
    }
    const now = Date.now()
    let removed = 0
    for (const name of names) {
      const path = join(this.directory, name)
      try {
        if (SESSION_FILE.test(name)) {
          if (await removeIfExpired(path, now)) removed++
        } else if (TEMP_FILE.test(name)) {
          const stats = await lstat(path)
          if (stats.isFile() && now - stats.mtimeMs > TEMP_MAX_AGE) await unlink(path)
        }
      } catch (error) {
        // Gone meanwhile (read and removed, or renamed into place), or not a file this store
        // wrote (a symbolic link, a directory): nothing to sweep, and the others still are.
        if (!['ENOENT', 'ELOOP', 'EISDIR'].some((code) => isCode(error, code))) {
          throw storeError('sweep', error)
        }
      }
    }
    return removed
  }

  #path(id: string): string {
    return join(this.directory, id + SUFFIX)
  }

  // Creates a temporary file, and the directory first when it is missing (at the first write,
  // or again when something removed it since).
  async #create(temp: string): Promise<FileHandle> {
    this.#ready ??= mkdir(this.directory, { recursive: true, mode: 0o700 }).then(() => {})
    try {
      await this.#ready
      return await open(temp, 'wx', 0o600)
    } catch (error) {
      this.#ready = undefined
      if (!isCode(error, 'ENOENT')) throw error
      await mkdir(this.directory, { recursive: true, mode: 0o700 })
      return await open(temp, 'wx', 0o600)
    }
  }
}

async function removeIfExpired(path: string, now: number): Promise<boolean> {
  const file = await open(path, READ_FLAGS)
  try {
    // The expiry line is at most 17 bytes.
    const { buffer, bytesRead } = await file.read(Buffer.alloc(17), 0, 17, 0)
    const expiry = EXPIRY_LINE.exec(buffer.toString('latin1', 0, bytesRead))
    if (expiry === null || Number(expiry[1]) > now) return false
    return await removeIfSame(path, file)
  } finally {
    await file.close().catch(() => {})
  }
}

// Removes the file at `path` if it is still the one open in `file`: a write renames a new file
// into place, and a fresh record must not be deleted because the one it replaced had expired.
async function removeIfSame(path: string, file: FileHandle): Promise<boolean> {
  const [opened, current] = await Promise.all([file.stat(), lstat(path).catch(() => null)])
  if (current === null || current.ino !== opened.ino || current.dev !== opened.dev) return false
  try {
    await unlink(path)
    return true
  } catch (error) {
    if (isCode(error, 'ENOENT')) return false
    throw error
  }
}

function isCode(error: unknown, code: string): boolean {
  return (error as { code?: unknown } | null)?.code === code
}

// File system errors name the path, and so the session id; the store's own error keeps only the
// operation and the error code.
function storeError(operation: string, error: unknown): Error {
  const code = (error as { code?: unknown } | null)?.code
  if (typeof code !== 'string') {
    const name = error instanceof Error ? error.name : 'Error'
    return new Error(`FileStore could not ${operation} a session file (${name})`)
  }
  const sanitized = new Error(`FileStore could not ${operation} a session file (${code})`)
  return Object.assign(sanitized, { code })
}
