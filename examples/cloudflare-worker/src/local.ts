// Runs one of the example's Workers locally inside workerd, the Workers runtime, through
// miniflare's API: bundled with esbuild, with its SESSIONS binding (a KV namespace, or a Durable
// Object namespace of SessionDurableObject). Used by `pnpm start` (dev.ts) and by the tests, so
// both run the same Worker the same way.
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import { Miniflare } from 'miniflare'
import type { MiniflareOptions } from 'miniflare'

/** The Workers compatibility date the Workers run with. */
export const COMPATIBILITY_DATE = '2026-03-17'

/** Where a Worker keeps its sessions: Workers KV, or Durable Objects. */
export type Variant = 'kv' | 'durable-object'

/** The variants, as `pnpm start` takes them. */
export const VARIANTS: readonly Variant[] = ['kv', 'durable-object']

const WORKERS: Record<Variant, string> = {
  kv: fileURLToPath(new URL('./worker.ts', import.meta.url)),
  'durable-object': fileURLToPath(new URL('./durable-object-worker.ts', import.meta.url)),
}

/** Options of `startLocalWorker`. */
export interface LocalWorkerOptions {
  /** The secret that signs session cookies, at least 32 characters. */
  secret: string
  /** Which Worker to run. Default: `'kv'`. */
  variant?: Variant
  /** A folder to keep the sessions in between runs. Default: in memory, gone on exit. */
  persist?: string
  /** The port to serve on, `0` for any free one. Default: none (reach it with `dispatchFetch`). */
  port?: number
  /** The interface to serve on. Default: `127.0.0.1`. */
  host?: string
}

/**
 * Bundles a Worker into one ES module, resolving this repository's packages to their
 * TypeScript sources (the `source` export condition); `cloudflare:` modules are workerd's own.
 * @param variant which Worker
 * @returns the module's code
 */
export async function bundleWorker(variant: Variant = 'kv'): Promise<string> {
  const result = await build({
    entryPoints: [WORKERS[variant]],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    conditions: ['source', 'workerd', 'worker'],
    external: ['cloudflare:*'],
    write: false,
    logLevel: 'warning',
  })
  return result.outputFiles[0]!.text
}

/**
 * Starts a Worker inside workerd.
 * @param options see `LocalWorkerOptions`
 * @returns the running Miniflare instance; `await mf.ready` gives its URL, `mf.dispose()` stops it
 */
export async function startLocalWorker(options: LocalWorkerOptions): Promise<Miniflare> {
  const variant = options.variant ?? 'kv'
  const { persist } = options
  const storage: Partial<MiniflareOptions> =
    variant === 'kv'
      ? { kvNamespaces: ['SESSIONS'], ...(persist === undefined ? {} : { kvPersist: persist }) }
      : {
          // As `new_sqlite_classes` in a wrangler migration: SQLite storage.
          durableObjects: { SESSIONS: { className: 'SessionDurableObject', useSQLite: true } },
          ...(persist === undefined ? {} : { durableObjectsPersist: persist }),
        }
  const mf = new Miniflare({
    modules: true,
    script: await bundleWorker(variant),
    compatibilityDate: COMPATIBILITY_DATE,
    bindings: { SESSION_SECRET: options.secret },
    ...storage,
    ...(options.port === undefined ? {} : { port: options.port }),
    host: options.host ?? '127.0.0.1',
  } as MiniflareOptions)
  await mf.ready
  return mf
}
