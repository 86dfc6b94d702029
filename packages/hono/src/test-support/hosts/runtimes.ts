// Bun and Deno, each serving the Hono behaviour app (../behaviour-app.ts) as a user's application
// does. The host file is bundled into a throwaway application directory with every package left
// as an import by name, the adapter's own sources included (the app imports them relatively, so
// the bundle imports `@fetch-session/hono` instead). The directory's node_modules links the
// packages the bundle imports, so the runtime resolves @fetch-session/core and
// @fetch-session/hono through their package.json `exports` to their published builds (dist/,
// built by the project's global setup); the shared test support is bundled into the host, since
// no runtime loads TypeScript from node_modules. Starting and keeping hosts is shared test
// support too; nothing here skips: a runtime that is missing or does not start fails its tests,
// naming the cause.
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import type { Plugin } from 'esbuild'
import { afterAll, inject } from 'vitest'
import type { StoreKind } from '@fetch-session/test-support'
import {
  installedBin,
  output,
  START_TIMEOUT,
  startProcessHost,
} from '@fetch-session/test-support/hosts'
import type { RunningHost, Runtime } from '@fetch-session/test-support/hosts'

export { startedHosts } from '@fetch-session/test-support/hosts'

const packageDir = resolve(fileURLToPath(import.meta.url), '../../../..')
const adapterSources = join(packageDir, 'src', 'index.ts')

/** Bun, from the `bun` npm package, running hosts/bun.ts. */
export async function bun(): Promise<Runtime> {
  const command = installedBin('bun', packageDir)
  const label = `bun ${(await output(command, ['--version'])).trim()}`
  const app = await applicationDirectory('bun.ts')
  return {
    label,
    start: (kind) =>
      startHost(label, kind, { command, args: ['--no-install', 'host.js', kind], cwd: app }),
  }
}

/** Deno, from the `deno` npm package, running hosts/deno.ts with only 127.0.0.1 to reach. */
export async function deno(): Promise<Runtime> {
  const command = installedBin('deno', packageDir)
  const env = { ...process.env, DENO_NO_UPDATE_CHECK: '1', NO_COLOR: '1' }
  const version = /^deno (\S+)/.exec(await output(command, ['--version'], env))?.[1]
  const label = `deno ${version ?? '(unknown version)'}`
  const app = await applicationDirectory('deno.ts')
  const args = ['run', '--no-lock', '--node-modules-dir=manual', '--allow-net=127.0.0.1']
  return {
    label,
    start: (kind) =>
      startHost(label, kind, { command, args: [...args, 'host.js', kind], cwd: app, env }),
  }
}

async function startHost(
  label: string,
  kind: StoreKind,
  options: { command: string; args: string[]; cwd: string; env?: NodeJS.ProcessEnv },
): Promise<RunningHost> {
  // The core's build errors are checked by startedHosts; this package's are ours to check.
  const buildErrors = inject('honoBuildErrors')
  if (buildErrors !== '') {
    throw new Error(`building @fetch-session/hono failed, so ${label} has no build to import:
${buildErrors}`)
  }
  return startProcessHost({
    label: `${label}, ${kind} store`,
    env: process.env,
    ...options,
    stateless: kind === 'cookie',
    startTimeout: START_TIMEOUT,
  })
}

/**
 * Makes an application directory (removed after the test file) holding a host bundled as
 * `host.js`, a package.json and a node_modules that links each package the bundle imports.
 * @param host the host file in this directory
 * @returns the directory's path
 */
async function applicationDirectory(host: string): Promise<string> {
  const bundle = await build({
    entryPoints: [fileURLToPath(new URL(host, import.meta.url))],
    bundle: true,
    platform: 'neutral',
    format: 'esm',
    target: 'es2022',
    packages: 'external',
    plugins: [adapterByName, testSupportBundled],
    metafile: true,
    write: false,
    logLevel: 'silent',
  })
  // Only test support may be bundled; the packages under test must be imported by name.
  const bundled = Object.keys(bundle.metafile.inputs)
  const fromSources = bundled.filter((input) => !input.split('/').includes('test-support'))
  if (fromSources.length > 0) {
    throw new Error(`the ${host} bundle includes package sources: ${fromSources.join(', ')}`)
  }
  const imported = Object.values(bundle.metafile.outputs).flatMap((output) =>
    output.imports.filter((entry) => entry.external).map((entry) => packageName(entry.path)),
  )

  const dir = await mkdtemp(join(tmpdir(), 'fetch-session-hono-'))
  afterAll(() => rm(dir, { recursive: true, force: true }))
  await writeFile(join(dir, 'host.js'), bundle.outputFiles[0]!.text)
  await writeFile(join(dir, 'package.json'), JSON.stringify({ private: true, type: 'module' }))
  for (const name of new Set(imported)) {
    // This package is not its own dependency: its directory is linked itself.
    const target =
      name === '@fetch-session/hono' ? packageDir : join(packageDir, 'node_modules', name)
    const link = join(dir, 'node_modules', name)
    await mkdir(dirname(link), { recursive: true })
    await symlink(target, link, 'dir')
  }
  return dir
}

/** Turns the adapter's relative import in the behaviour app into an import by package name. */
const adapterByName: Plugin = {
  name: 'adapter-by-name',
  setup(build) {
    build.onResolve({ filter: /^\./ }, ({ path, resolveDir }) =>
      resolve(resolveDir, path) === adapterSources
        ? { path: '@fetch-session/hono', external: true }
        : undefined,
    )
  },
}

const fromHere = createRequire(import.meta.url)

/** Bundles the shared test support, which is TypeScript that no runtime loads from node_modules. */
const testSupportBundled: Plugin = {
  name: 'test-support-bundled',
  setup(build) {
    build.onResolve({ filter: /^@fetch-session\/test-support(\/|$)/ }, ({ path }) => ({
      path: fromHere.resolve(path),
    }))
  },
}

/** The package an import names: `hono` for `hono/cookie`, `@scope/name` for `@scope/name/x`. */
function packageName(specifier: string): string {
  const segments = specifier.split('/')
  return segments.slice(0, specifier.startsWith('@') ? 2 : 1).join('/')
}
