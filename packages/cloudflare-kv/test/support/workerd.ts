// Runs the test worker inside workerd through miniflare's API: bundled with esbuild (workspace
// packages resolved to their TypeScript sources through the "source" condition), with a real KV
// namespace bound as SESSIONS.
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import { Miniflare } from 'miniflare'
import type { MiniflareOptions } from 'miniflare'
import type { SessionStore } from '@fetch-session/core'
import type { KVStoreOptions } from '../../src/index.ts'
import type { KVCall, ReportedError } from '../fixtures/worker.ts'

const ENTRY = fileURLToPath(new URL('../fixtures/worker.ts', import.meta.url))

/** The compatibility date the tests run workerd with. */
export const COMPATIBILITY_DATE = '2026-03-17'

/** Bundles the test worker into one ES module. */
export async function bundleWorker(entry = ENTRY): Promise<string> {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    conditions: ['source'],
    write: false,
    logLevel: 'silent',
  })
  return result.outputFiles[0]!.text
}

/**
 * Starts workerd with the test worker and a KV namespace bound as SESSIONS.
 * @param options more Miniflare options
 */
export async function startWorker(options: Partial<MiniflareOptions> = {}): Promise<Miniflare> {
  const mf = new Miniflare({
    modules: true,
    script: await bundleWorker(),
    compatibilityDate: COMPATIBILITY_DATE,
    kvNamespaces: ['SESSIONS'],
    ...options,
  } as MiniflareOptions)
  await mf.ready
  return mf
}

/**
 * Sends a request to the worker and returns it as a standard `Response`.
 * @param mf the running worker
 * @param path the path, resolved against http://localhost
 * @param init the request options
 */
export async function send(mf: Miniflare, path: string, init: RequestInit = {}): Promise<Response> {
  const response = await mf.dispatchFetch(
    new URL(path, 'http://localhost').href,
    init as Parameters<Miniflare['dispatchFetch']>[1],
  )
  return response as unknown as Response
}

/** Clears the worker's log of calls made to the KV binding. */
export async function resetCalls(mf: Miniflare): Promise<void> {
  await (await send(mf, '/kv/calls', { method: 'DELETE' })).arrayBuffer()
}

/** The calls made to the KV binding since the last reset. */
export async function kvCalls(mf: Miniflare): Promise<KVCall[]> {
  return (await send(mf, '/kv/calls')).json() as Promise<KVCall[]>
}

/** An error thrown inside the worker, rebuilt on this side with the fields it reported. */
export class WorkerError extends Error {
  /** @param reported the error as the worker reported it */
  constructor(readonly reported: ReportedError) {
    super(reported.message)
    this.name = reported.name
  }
}

/**
 * A `SessionStore` whose every call runs the real `KVStore` inside workerd, over the real KV
 * binding: what the conformance suite needs to test the store where it will run.
 * @param mf the running worker
 * @param options the options the worker builds its `KVStore` with
 */
export function remoteStore(mf: Miniflare, options?: KVStoreOptions): SessionStore {
  async function call(operation: string, body: object): Promise<unknown> {
    const response = await send(mf, `/store/${operation}`, {
      method: 'POST',
      body: JSON.stringify({ ...body, options }),
    })
    const result = (await response.json()) as {
      ok: boolean
      value?: unknown
      error?: ReportedError
    }
    if (!result.ok) throw new WorkerError(result.error!)
    return result.value
  }
  return {
    get: async (id) => (await call('get', { id })) as string | null,
    set: async (id, record, expiresAt) => {
      await call('set', { id, record, expiresAt })
    },
    delete: async (id) => {
      await call('delete', { id })
    },
  }
}
