// Each runtime the behaviour stories run on: how it is found (the version pinned in the
// package's dev dependencies), named in the report and started with the behaviour app, which
// imports the package's published build (dist/, built by the project's global setup). Nothing
// here skips: a runtime that is missing or does not start fails its tests, naming the cause.
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import { Miniflare } from 'miniflare'
import type { RequestInit as MiniflareRequestInit } from 'miniflare'
import type { StoreKind } from '@fetch-session/test-support'
import {
  installedBin,
  output,
  START_TIMEOUT,
  startProcessHost,
} from '@fetch-session/test-support/hosts'
import type { Runtime } from '@fetch-session/test-support/hosts'

export { startedHosts } from '@fetch-session/test-support/hosts'

const packageDir = resolve(fileURLToPath(import.meta.url), '../../../..')
const hostsDir = relative(packageDir, fileURLToPath(new URL('.', import.meta.url)))

/** The workerd compatibility date the Worker is run with. */
const COMPATIBILITY_DATE = '2026-03-17'

/** Bun, from the `bun` npm package, running hosts/bun.ts. */
export async function bun(): Promise<Runtime> {
  const command = installedBin('bun', packageDir)
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
  const command = installedBin('deno', packageDir)
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

function processHost(label: string, kind: StoreKind) {
  return {
    label: `${label}, ${kind} store`,
    cwd: packageDir,
    env: process.env,
    stateless: kind === 'cookie',
    startTimeout: START_TIMEOUT,
  }
}
