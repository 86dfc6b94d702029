// Each runtime the behaviour stories run on: how it is found (the version pinned in the
// package's dev dependencies), named in the report and started with the behaviour app, which
// imports the package's published build (dist/, built by the project's global setup). Nothing
// here skips: a runtime that is missing or does not start fails its tests, naming the cause.
import { execFile } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { build } from 'esbuild'
import { Miniflare } from 'miniflare'
import type { RequestInit as MiniflareRequestInit } from 'miniflare'
import { afterAll, beforeAll, inject } from 'vitest'
import type { StoreKind } from '../behaviour-app.ts'
import { startProcessHost } from './process-host.ts'
import type { RunningHost } from './process-host.ts'
import { STORE_KINDS } from './store-kind.ts'

export type { RunningHost } from './process-host.ts'

/** A runtime that can serve the behaviour app. */
export interface Runtime {
  /** The runtime and its version, such as `bun 1.4.5`. */
  label: string
  /** Starts one host serving the app with the given store. */
  start(kind: StoreKind): Promise<RunningHost>
}

const packageDir = resolve(fileURLToPath(import.meta.url), '../../../..')
const hostsDir = relative(packageDir, fileURLToPath(new URL('.', import.meta.url)))

/** How long a host may take to start before it counts as failed, in ms (a deadline only). */
const START_TIMEOUT = 60_000

/** The workerd compatibility date the Worker is run with. */
const COMPATIBILITY_DATE = '2026-03-17'

/** Bun, from the `bun` npm package, running hosts/bun.ts. */
export async function bun(): Promise<Runtime> {
  const command = installedBin('bun')
  const label = `bun ${(await output(command, ['--version'])).trim()}`
  return {
    label,
    start: (kind) =>
      startProcessHost({
        ...processHost(label, kind),
        command,
        args: ['--no-install', join(hostsDir, 'bun.ts'), kind],
      }),
  }
}

/** Deno, from the `deno` npm package, running hosts/deno.ts with the package's node_modules. */
export async function deno(): Promise<Runtime> {
  const command = installedBin('deno')
  const env = { ...process.env, DENO_NO_UPDATE_CHECK: '1', NO_COLOR: '1' }
  const version = /^deno (\S+)/.exec(await output(command, ['--version'], env))?.[1]
  const label = `deno ${version ?? '(unknown version)'}`
  const args = ['run', '--no-lock', '--node-modules-dir=manual', '--allow-net=127.0.0.1']
  return {
    label,
    start: (kind) =>
      startProcessHost({
        ...processHost(label, kind),
        command,
        args: [...args, join(hostsDir, 'deno.ts'), kind],
        env,
      }),
  }
}

/**
 * Plain Node (the one running the tests), serving hosts/node.ts over node:http. The host is
 * bundled with the package left external, so Node itself resolves the package to its build.
 */
export async function node(): Promise<Runtime> {
  const label = `node ${process.versions.node}`
  const bundle = await build({
    entryPoints: [join(packageDir, hostsDir, 'node.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    external: ['@fetch-session/core'],
    write: false,
    logLevel: 'silent',
  })
  const code = bundle.outputFiles[0]!.text
  // No NODE_OPTIONS (a `--conditions=source` there would load the sources instead).
  const { NODE_OPTIONS: _, ...env } = process.env
  return {
    label,
    start: (kind) =>
      startProcessHost({
        ...processHost(label, kind),
        command: process.execPath,
        args: ['--input-type=module', '--eval', code, '--', kind],
        env,
      }),
  }
}

/**
 * workerd through miniflare, running hosts/workerd.ts bundled as Wrangler bundles a Worker:
 * esbuild with the Workers conditions (not `source`), so the package resolves to its build.
 */
export async function workerd(): Promise<Runtime> {
  const fromMiniflare = createRequire(createRequire(import.meta.url).resolve('miniflare'))
  const workerdPackage = fromMiniflare.resolve('workerd/package.json')
  const { version } = JSON.parse(readFileSync(workerdPackage, 'utf8')) as { version: string }
  const label = `workerd ${version}`
  const bundle = await build({
    entryPoints: [join(packageDir, hostsDir, 'workerd.ts')],
    bundle: true,
    platform: 'neutral',
    format: 'esm',
    conditions: ['workerd', 'worker', 'browser'],
    write: false,
    logLevel: 'silent',
  })
  const script = bundle.outputFiles[0]!.text
  return {
    label,
    async start(kind) {
      const mf = new Miniflare({
        modules: true,
        script,
        compatibilityDate: COMPATIBILITY_DATE,
        bindings: { STORE_KIND: kind },
      })
      try {
        await mf.ready
      } catch (error) {
        await mf.dispose().catch(() => {})
        throw new Error(`${label}, ${kind} store: the Worker did not start`, { cause: error })
      }
      return {
        fetch: async (path, init) => {
          const url = new URL(path, 'http://localhost').href
          const response = await mf.dispatchFetch(url, init as MiniflareRequestInit)
          return response as unknown as Response
        },
        stateless: kind === 'cookie',
        close: () => mf.dispose(),
      }
    },
  }
}

/**
 * Keeps one host per store kind running for the stories of a test file: starts them in
 * beforeAll, closes them in afterAll.
 * @param runtime the runtime to start them on
 * @returns the running host of a store kind
 */
export function startedHosts(runtime: Runtime): (kind: StoreKind) => RunningHost {
  const hosts = new Map<StoreKind, RunningHost>()
  beforeAll(async () => {
    const buildErrors = inject('coreBuildErrors')
    if (buildErrors !== '') {
      throw new Error(`building the package failed, so ${runtime.label} has no build to import:
${buildErrors}`)
    }
    const started = await Promise.allSettled(
      STORE_KINDS.map(async (kind) => hosts.set(kind, await runtime.start(kind))),
    )
    const failure = started.find((result) => result.status === 'rejected')
    if (failure !== undefined) throw failure.reason
  }, START_TIMEOUT + 10_000)
  afterAll(async () => {
    await Promise.all([...hosts.values()].map((host) => host.close()))
  })
  return (kind) => {
    const host = hosts.get(kind)
    if (host === undefined) throw new Error(`${runtime.label}: no ${kind} store host is running`)
    return host
  }
}

function processHost(label: string, kind: StoreKind) {
  return {
    label: `${label}, ${kind} store`,
    cwd: packageDir,
    env: process.env,
    stateless: kind === 'cookie',
    startTimeout: START_TIMEOUT,
  }
}

/**
 * The path of a dev dependency's executable, or an error saying how to install it.
 * @param name the executable
 * @param dir the package that depends on it; default: this one
 */
export function installedBin(name: string, dir = packageDir): string {
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
