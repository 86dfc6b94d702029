import { constants } from 'node:fs'
import { link, lstat, open, rename, unlink } from 'node:fs/promises'
import type { FileHandle } from 'node:fs/promises'
import { hostname } from 'node:os'

// A lock is a file created with O_EXCL, which exactly one process can do while it exists; it
// holds `<pid> <hostname>` so that another process can tell when its holder has died.
const HOST = hostname()
const OWNER = `${process.pid} ${HOST}\n`
const OWNER_LINE = /^(\d{1,10}) (\S+)\n$/
const READ_FLAGS = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0)

/** When a lock is judged abandoned, and how long to wait for one. */
export interface LockTiming {
  /** A lock older than this, in milliseconds, was left by a process that stopped mid-write. */
  staleAfter: number
  /** How long to wait for a lock, in milliseconds, before failing with `ETIMEDOUT`. */
  waitFor: number
}

/** A lock file that this process created. */
export class FileLock {
  /** The path of the lock file. */
  readonly path: string
  readonly #ino: number
  readonly #dev: number

  /**
   * @param path the lock file
   * @param identity the lock file's inode and device, as created
   */
  constructor(path: string, identity: { ino: number; dev: number }) {
    this.path = path
    this.#ino = identity.ino
    this.#dev = identity.dev
  }

  /**
   * Tells whether the lock file is still this one.
   * @returns `false` once another process judged the lock stale and broke it
   */
  async held(): Promise<boolean> {
    const current = await lstat(this.path).catch(() => null)
    return current !== null && current.ino === this.#ino && current.dev === this.#dev
  }

  /** Removes the lock file, unless another process broke the lock and took a new one. */
  async release(): Promise<void> {
    if (await this.held()) await unlink(this.path).catch(() => {})
  }
}

/**
 * Takes a lock if it is free.
 * @param path the lock file
 * @returns the lock, or `null` when another holder has it
 */
export async function tryLock(path: string): Promise<FileLock | null> {
  let file: FileHandle
  try {
    file = await open(path, 'wx', 0o600)
  } catch (error) {
    if ((error as { code?: unknown }).code === 'EEXIST') return null
    throw error
  }
  try {
    await file.writeFile(OWNER, 'latin1')
    return new FileLock(path, await file.stat())
  } catch (error) {
    await unlink(path).catch(() => {})
    throw error
  } finally {
    await file.close().catch(() => {})
  }
}

/**
 * Takes a lock, waiting with a small random backoff while another holder has it, and breaking
 * it when its holder has died (same host, process gone) or it is older than `staleAfter`.
 * @param path the lock file
 * @param aside returns a fresh path in the same directory, to move a stale lock to
 * @param timing see `LockTiming`
 * @returns the lock
 * @throws an error with code `ETIMEDOUT` after `waitFor` milliseconds
 */
export async function acquireLock(
  path: string,
  aside: () => string,
  timing: LockTiming,
): Promise<FileLock> {
  const deadline = Date.now() + timing.waitFor
  for (let attempt = 0; ; attempt++) {
    const lock = await tryLock(path)
    if (lock !== null) return lock
    if (await breakIfStale(path, aside, timing.staleAfter)) continue
    if (Date.now() > deadline) {
      throw Object.assign(new Error('FileStore timed out waiting for a lock'), {
        code: 'ETIMEDOUT',
      })
    }
    const delay = 1 + Math.random() * Math.min(2 ** attempt, 50)
    await new Promise((resolve) => setTimeout(resolve, delay))
  }
}

/**
 * Removes a lock whose holder has died or which is older than `staleAfter`.
 * @param path the lock file
 * @param aside returns a fresh path in the same directory, to move the stale lock to
 * @param staleAfter the age, in milliseconds, past which any lock is stale
 * @returns whether the lock is gone (broken here or released meanwhile), so that taking it
 *   again is worth a try
 */
export async function breakIfStale(
  path: string,
  aside: () => string,
  staleAfter: number,
): Promise<boolean> {
  let file: FileHandle
  try {
    file = await open(path, READ_FLAGS)
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ENOENT') return true
    throw error
  }
  let identity: { ino: number; dev: number }
  try {
    const stats = await file.stat()
    if (!isStale(stats.mtimeMs, await file.readFile('latin1'), staleAfter)) return false
    identity = stats
  } finally {
    await file.close().catch(() => {})
  }
  // Moved aside rather than unlinked: of several processes breaking one lock, exactly one wins
  // the rename, and it can check that what it moved is the stale lock and not a fresh one.
  const moved = aside()
  try {
    await rename(path, moved)
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ENOENT') return true
    throw error
  }
  // Null when a sweep removed it meanwhile, taking it for a temporary file left by a crash.
  const after = await lstat(moved).catch(() => null)
  if (after !== null && (after.ino !== identity.ino || after.dev !== identity.dev)) {
    // Another process broke it first and took the lock anew: that fresh lock goes back.
    await link(moved, path).catch(() => {})
  }
  await unlink(moved).catch(() => {})
  return true
}

function isStale(mtimeMs: number, owner: string, staleAfter: number): boolean {
  if (Date.now() - mtimeMs > staleAfter) return true
  // A pid means something only on the host that wrote it; a lock still being written has none.
  const match = OWNER_LINE.exec(owner)
  return match !== null && match[2] === HOST && !isRunning(Number(match[1]))
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    // EPERM: the process exists but belongs to another user.
    return (error as { code?: unknown }).code !== 'ESRCH'
  }
}
