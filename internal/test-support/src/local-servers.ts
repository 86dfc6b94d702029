// What the tests and the bench need to start a database server of their own on this machine:
// a free port on 127.0.0.1, the system user to run PostgreSQL as when running as root (it
// refuses root), and where Debian's PostgreSQL binaries are.
import { existsSync, readFileSync, readdirSync } from 'node:fs'
import { createServer } from 'node:net'
import { join } from 'node:path'

/** Where Debian installs each PostgreSQL version (`<root>/<version>/bin`). */
export const POSTGRES_ROOT = '/usr/lib/postgresql'

/**
 * A port that was free on 127.0.0.1 a moment ago.
 * @returns the port
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => {
        if (typeof address === 'object' && address !== null) resolve(address.port)
        else reject(new Error('no port was given'))
      })
    })
  })
}

/**
 * A system user's ids, from /etc/passwd.
 * @param name the user's name
 * @returns its uid and gid, or `undefined` when there is no such user
 */
export function systemUser(name: string): { uid: number; gid: number } | undefined {
  try {
    for (const line of readFileSync('/etc/passwd', 'utf8').split('\n')) {
      const [user, , uid, gid] = line.split(':')
      if (user === name && uid !== undefined && gid !== undefined) {
        return { uid: Number(uid), gid: Number(gid) }
      }
    }
  } catch {
    // No passwd file: no such user.
  }
  return undefined
}

/**
 * The bin directory of the newest installed PostgreSQL that has `initdb` and `pg_ctl`.
 * @returns the directory, or `undefined` when there is none
 */
export function postgresBinDir(): string | undefined {
  let versions: string[]
  try {
    versions = readdirSync(POSTGRES_ROOT)
  } catch {
    return undefined
  }
  const installed = versions
    .filter((version) => existsSync(join(POSTGRES_ROOT, version, 'bin', 'initdb')))
    .filter((version) => existsSync(join(POSTGRES_ROOT, version, 'bin', 'pg_ctl')))
    .sort((a, b) => Number.parseFloat(b) - Number.parseFloat(a))
  return installed[0] === undefined ? undefined : join(POSTGRES_ROOT, installed[0], 'bin')
}
