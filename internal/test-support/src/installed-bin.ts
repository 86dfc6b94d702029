// Finding and asking the runtimes that packages pin as dev dependencies (bun, deno).
import { execFile } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'

/**
 * The path of a dev dependency's executable, or an error saying how to install it.
 * @param name the executable
 * @param dir the package that depends on it
 */
export function installedBin(name: string, dir: string): string {
  const path = join(dir, 'node_modules', '.bin', name)
  if (!existsSync(path)) {
    const owner = (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name: string })
      .name
    throw new Error(
      `${name} is not installed: node_modules/.bin/${name} is missing in ${owner}. ` +
        `It is a pinned dev dependency; run pnpm install (its install script must be allowed).`,
    )
  }
  return path
}

/** Runs a command and returns its standard output. */
export async function output(command: string, args: string[], env = process.env): Promise<string> {
  try {
    return (await promisify(execFile)(command, args, { env, encoding: 'utf8' })).stdout
  } catch (error) {
    throw new Error(`${command} ${args.join(' ')} failed`, { cause: error })
  }
}
