// Runs worker.ts locally inside workerd, the Workers runtime, through miniflare's API: bundled
// with esbuild, with a KV namespace bound as SESSIONS. Used by `pnpm start` (dev.ts) and by the
// tests, so both run the same Worker the same way.
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import { Miniflare } from 'miniflare'

const WORKER = fileURLToPath(new URL('./worker.ts', import.meta.url))

/** The Workers compatibility date the Worker runs with. */
export const COMPATIBILITY_DATE = '2026-03-17'

/** Options of `startLocalWorker`. */
export interface LocalWorkerOptions {
  /** The secret that signs session cookies, at least 32 characters. */
  secret: string
  /** A folder to keep the KV data in between runs. Default: in memory, gone on exit. */
  kvPersist?: string
  /** The port to serve on, `0` for any free one. Default: none (reach it with `dispatchFetch`). */
  port?: number
  /** The interface to serve on. Default: `127.0.0.1`. */
  host?: string
}

/**
 * Bundles worker.ts into one ES module, resolving this repository's packages to their
 * TypeScript sources (the `source` export condition).
 * @returns the module's code
 */
export async function bundleWorker(): Promise<string> {
  const result = await build({
    entryPoints: [WORKER],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    conditions: ['source', 'workerd', 'worker'],
    write: false,
    logLevel: 'warning',
  })
  return result.outputFiles[0]!.text
}

/**
 * Starts the Worker inside workerd.
 * @param options see `LocalWorkerOptions`
 * @returns the running Miniflare instance; `await mf.ready` gives its URL, `mf.dispose()` stops it
 */
export async function startLocalWorker(options: LocalWorkerOptions): Promise<Miniflare> {
  const mf = new Miniflare({
    modules: true,
    script: await bundleWorker(),
    compatibilityDate: COMPATIBILITY_DATE,
    kvNamespaces: ['SESSIONS'],
    bindings: { SESSION_SECRET: options.secret },
    ...(options.kvPersist === undefined ? {} : { kvPersist: options.kvPersist }),
    ...(options.port === undefined ? {} : { port: options.port }),
    host: options.host ?? '127.0.0.1',
  })
  await mf.ready
  return mf
}
