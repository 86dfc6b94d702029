import { lstat, mkdir } from 'node:fs/promises'
import { SessionConfigError } from '@fetch-session/core'

/**
 * Checks that a directory can be trusted with sessions, creating it (mode 0700) when missing and
 * asked to. Anyone who can write to it, or who owns it, could plant a session file for an id
 * they hold a signed cookie for, so it must be a real directory (not a symbolic link), owned by
 * this process's user, and writable by that user alone. Ownership is checked where the platform
 * has user ids (not on Windows).
 * @param directory an absolute path
 * @param create whether to create the directory when it is missing
 * @returns whether the directory exists (`false` only when missing and `create` is false)
 * @throws SessionConfigError when the directory is a symbolic link, not a directory, owned by
 *   another user, or writable by its group or by others
 */
export async function checkDirectory(directory: string, create: boolean): Promise<boolean> {
  let stats = await lstat(directory).catch((error: unknown) => {
    if ((error as { code?: unknown }).code === 'ENOENT') return null
    throw error
  })
  if (stats === null) {
    if (!create) return false
    await mkdir(directory, { recursive: true, mode: 0o700 })
    stats = await lstat(directory)
  }
  const refuse = (reason: string) =>
    new SessionConfigError(`FileStore refuses the directory ${directory}: ${reason}`)
  if (stats.isSymbolicLink()) {
    throw refuse('it is a symbolic link; give the path of the directory it points to')
  }
  if (!stats.isDirectory()) throw refuse('it is not a directory')
  const uid = process.getuid?.()
  if (uid !== undefined && stats.uid !== uid) {
    throw refuse(`it is owned by uid ${stats.uid}, not by this process's user (uid ${uid})`)
  }
  if ((stats.mode & 0o022) !== 0) {
    const mode = (stats.mode & 0o777).toString(8).padStart(3, '0')
    throw refuse(`its group or other users can write to it (mode ${mode}); make it 700`)
  }
  return true
}
