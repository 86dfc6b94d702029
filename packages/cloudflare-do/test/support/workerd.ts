// Runs the test worker inside workerd through miniflare's API: bundled with esbuild (workspace
// packages resolved to their TypeScript sources through the "source" condition), with a real
// Durable Object namespace of the package's class bound as SESSIONS.
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import { Miniflare } from 'miniflare'
import type { MiniflareOptions } from 'miniflare'
import type {
  SessionVersion,
  SessionWrite,
  StoredSession,
  UserSession,
  VersionedSessionStore,
} from '@fetch-session/core'
import { createTestClient } from '@fetch-session/testing'
import type { TestClient } from '@fetch-session/testing'
import type { Inspection, ReportedError } from '../fixtures/worker.ts'

const ENTRY = fileURLToPath(new URL('../fixtures/worker.ts', import.meta.url))

/** The compatibility date the tests run workerd with. */
export const COMPATIBILITY_DATE = '2026-03-17'

/** The two storage backends a Durable Object class can have. */
export const BACKENDS = ['sqlite', 'key-value'] as const
export type Backend = (typeof BACKENDS)[number]

/**
 * Bundles a worker into one ES module; `cloudflare:` modules stay imports, as workerd provides
 * them.
 * @param entry the worker's entry file
 */
export async function bundleWorker(entry = ENTRY): Promise<string> {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    conditions: ['source'],
    external: ['cloudflare:*'],
    write: false,
    logLevel: 'silent',
  })
  return result.outputFiles[0]!.text
}

/**
 * Starts workerd with the test worker: SESSIONS bound to `InspectableSessionObject` with the
 * given storage backend, and WRONG to an unrelated class.
 * @param backend the storage backend of the class (default SQLite, as new classes should use)
 * @param options more Miniflare options
 */
export async function startWorker(
  backend: Backend = 'sqlite',
  options: Partial<MiniflareOptions> = {},
): Promise<Miniflare> {
  const useSQLite = backend === 'sqlite'
  const mf = new Miniflare({
    modules: true,
    script: await bundleWorker(),
    compatibilityDate: COMPATIBILITY_DATE,
    durableObjects: {
      SESSIONS: { className: 'InspectableSessionObject', useSQLite },
      WRONG: { className: 'UnrelatedObject', useSQLite },
    },
    ...options,
  } as MiniflareOptions)
  await mf.ready
  return mf
}

/**
 * Starts workerd with two Workers, each in an isolate of its own, that run the test worker over
 * the same Durable Objects: `first` defines the class and binds it, `second` binds the class of
 * `first`. A commit queue inside one isolate cannot order their requests; only the objects can.
 * @returns the running workerd, and a fetch handler for each Worker
 */
export async function startTwoWorkers(): Promise<{
  mf: Miniflare
  first: (request: Request) => Promise<Response>
  second: (request: Request) => Promise<Response>
}> {
  const script = await bundleWorker()
  const common = { modules: true, script, compatibilityDate: COMPATIBILITY_DATE }
  const mf = new Miniflare({
    workers: [
      {
        ...common,
        name: 'first',
        durableObjects: { SESSIONS: { className: 'InspectableSessionObject', useSQLite: true } },
      },
      {
        ...common,
        name: 'second',
        durableObjects: {
          SESSIONS: { className: 'InspectableSessionObject', scriptName: 'first', useSQLite: true },
        },
      },
    ],
  } as MiniflareOptions)
  await mf.ready
  const fetcher = async (name: string) => {
    const worker = await mf.getWorker(name)
    return async (request: Request) =>
      (await worker.fetch(request.url, await requestInit(request))) as unknown as Response
  }
  return { mf, first: await fetcher('first'), second: await fetcher('second') }
}

// A request as miniflare takes it: its own Request class is not Node's.
async function requestInit(request: Request) {
  const body = request.body === null ? undefined : await request.arrayBuffer()
  return {
    method: request.method,
    headers: [...request.headers],
    ...(body === undefined ? {} : { body }),
    redirect: 'manual' as const,
  }
}

/**
 * A browser-like client of the worker (`createTestClient` of `@fetch-session/testing`), its
 * requests dispatched into workerd.
 * @param target the running worker, or a fetch handler from `startTwoWorkers`
 */
export function browser(target: Miniflare | ((request: Request) => Promise<Response>)): TestClient {
  if (typeof target === 'function') return createTestClient(target)
  return createTestClient(
    async (request) =>
      (await target.dispatchFetch(
        request.url,
        (await requestInit(request)) as Parameters<Miniflare['dispatchFetch']>[1],
      )) as unknown as Response,
  )
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

/** An error thrown inside the worker, rebuilt on this side with the fields it reported. */
export class WorkerError extends Error {
  /** @param reported the error as the worker reported it */
  constructor(readonly reported: ReportedError) {
    super(reported.message)
    this.name = reported.name
  }
}

async function post(mf: Miniflare, path: string, body: object): Promise<unknown> {
  const response = await send(mf, path, { method: 'POST', body: JSON.stringify(body) })
  const result = (await response.json()) as { ok: boolean; value?: unknown; error?: ReportedError }
  if (!result.ok) throw new WorkerError(result.error!)
  return result.value
}

/** A `VersionedSessionStore` whose `listByUser` is always there. */
export type RemoteStore = VersionedSessionStore &
  Required<Pick<VersionedSessionStore, 'listByUser'>>

/**
 * A store whose every call runs the real `DurableObjectStore` inside workerd, over the real
 * namespace, against real objects: what the conformance suite needs to test the store where it
 * runs. Only the call and its JSON result cross over to Node.
 * @param mf the running worker
 * @param binding the namespace the worker builds its store over (default SESSIONS)
 */
export function remoteStore(mf: Miniflare, binding?: string): RemoteStore {
  const call = (method: string, args: unknown[]) =>
    post(mf, `/store/${method}`, binding === undefined ? { args } : { args, binding })
  return {
    read: async (id) => (await call('read', [id])) as StoredSession | null,
    write: async (id: string, write: SessionWrite, expected: SessionVersion | null) =>
      (await call('write', [id, write, expected])) as SessionVersion | null,
    remove: async (id: string, expected?: SessionVersion) =>
      (await call('remove', expected === undefined ? [id] : [id, expected])) as boolean,
    listByUser: async (userId: string) => (await call('listByUser', [userId])) as UserSession[],
  }
}

/**
 * Calls one method of one object directly, bypassing the store.
 * @param mf the running worker
 * @param name the object's name (`session:<id>` or `user:<userId>`)
 * @param method the method
 * @param args its arguments
 */
export function callObject(
  mf: Miniflare,
  name: string,
  method: string,
  ...args: unknown[]
): Promise<unknown> {
  return post(mf, `/object/${method}`, { name, args })
}

/**
 * What one object stores, and its alarm.
 * @param mf the running worker
 * @param name the object's name (`session:<id>` or `user:<userId>`)
 */
export async function inspect(mf: Miniflare, name: string): Promise<Inspection> {
  const response = await send(mf, '/inspect', { method: 'POST', body: JSON.stringify({ name }) })
  return response.json() as Promise<Inspection>
}

/**
 * The RPC methods called on one object since the last time this was asked, in order: each one a
 * billed Durable Object request.
 * @param mf the running worker
 * @param name the object's name (`session:<id>` or `user:<userId>`)
 */
export async function received(mf: Miniflare, name: string): Promise<string[]> {
  const body = JSON.stringify({ name })
  return (await send(mf, '/inspect/received', { method: 'POST', body })).json() as Promise<string[]>
}

/** The name of a session's object, as the store derives it. */
export const sessionObject = (id: string) => `session:${id}`
/** The name of a user's index object, as the store derives it. */
export const userObject = (userId: string) => `user:${userId}`

/**
 * Waits until `check` resolves true, polling; rejects after `timeout` ms.
 * @param check what to wait for
 * @param timeout how long to wait at most
 */
export async function eventually(check: () => Promise<boolean>, timeout = 15_000): Promise<void> {
  const deadline = Date.now() + timeout
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`not so after ${timeout} ms`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}
