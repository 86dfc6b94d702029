// Builds the published output (dist/) of the core and of this package once before the hono
// project's tests. Only the runtime tests (runtimes-*.test.ts) read it, importing both packages
// as their users do; the other tests use the sources.
//
// The core is built first, as the core project's global setup also does (here too, since the
// projects run in any order and a run may include this project alone), because this package's
// build reads the core's declarations from its dist/. Both builds are `tsc -p
// tsconfig.build.json` (the build script) through the compiler API, safe to run while another
// test run builds the same package: every file is replaced atomically (written aside, then
// renamed) and only when its content changed, so a host starting elsewhere never reads half a
// file. Files of an older build that this one no longer emits are removed, as the build
// script's `rm -rf dist` would.
import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { TestProject } from 'vitest/node'
import { buildDist, provideCoreBuild } from '@fetch-session/test-support/build-dist'

declare module 'vitest' {
  export interface ProvidedContext {
    /** This package's build errors, formatted; empty when dist/ was built cleanly. */
    honoBuildErrors: string
  }
}

const packageDir = resolve(fileURLToPath(import.meta.url), '../../..')

export default function setup(project: TestProject): void {
  // Provides `coreBuildErrors`, and rebuilds the core on reruns before the callback below runs.
  provideCoreBuild(project)
  project.provide('honoBuildErrors', buildDist(packageDir))
  project.onTestsRerun(() => project.provide('honoBuildErrors', buildDist(packageDir)))
}
