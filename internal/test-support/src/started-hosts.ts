// Hosts of the behaviour app on one runtime, kept running for the stories of a test file.
import { afterAll, beforeAll, inject } from 'vitest'
import type {} from './build-dist.ts'
import type { StoreKind } from './behaviour-app.ts'
import type { RunningHost } from './process-host.ts'
import { STORE_KINDS } from './store-kind.ts'

/** How long a host may take to start before it counts as failed, in ms (a deadline only). */
export const START_TIMEOUT = 60_000

/** A runtime that can serve the behaviour app. */
export interface Runtime {
  /** The runtime and its version, such as `bun 1.4.5`. */
  label: string
  /** Starts one host serving the app with the given store. */
  start(kind: StoreKind): Promise<RunningHost>
}

/**
 * Keeps one host per store kind running for the stories of a test file: starts them in
 * beforeAll, closes them in afterAll. The core's build (`coreBuildErrors`, provided by
 * `provideCoreBuild`) must have succeeded, since every host imports it.
 * @param runtime the runtime to start them on
 * @returns the running host of a store kind
 */
export function startedHosts(runtime: Runtime): (kind: StoreKind) => RunningHost {
  const hosts = new Map<StoreKind, RunningHost>()
  beforeAll(async () => {
    const buildErrors = inject('coreBuildErrors')
    if (buildErrors !== '') {
      throw new Error(`building the core failed, so ${runtime.label} has no build to import:
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
