// Builds the published output (dist/) of the core and of this package once before the hono
// project's tests. Only the runtime tests (runtimes-*.test.ts) read it, importing both packages
// as their users do; the other tests use the sources.
//
// The core is built first by the core project's own global setup (called here too, since the
// projects run in any order and a run may include this project alone), because this package's
// build reads the core's declarations from its dist/. Both builds are `tsc -p
// tsconfig.build.json` (the build script) through the compiler API, safe to run while another
// test run builds the same package: every file is replaced atomically (written aside, then
// renamed) and only when its content changed, so a host starting elsewhere never reads half a
// file. Files of an older build that this one no longer emits are removed, as the build
// script's `rm -rf dist` would.
import {
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import ts from 'typescript'
import type { TestProject } from 'vitest/node'
import buildCore from '../../../core/src/test-support/global-setup.ts'

declare module 'vitest' {
  export interface ProvidedContext {
    /** This package's build errors, formatted; empty when dist/ was built cleanly. */
    honoBuildErrors: string
  }
}

const packageDir = resolve(fileURLToPath(import.meta.url), '../../..')

export default function setup(project: TestProject): void {
  // Provides `coreBuildErrors`, and rebuilds the core on reruns before the callback below runs.
  buildCore(project)
  project.provide('honoBuildErrors', buildDist())
  project.onTestsRerun(() => project.provide('honoBuildErrors', buildDist()))
}

/**
 * Compiles the package as tsconfig.build.json says.
 * @returns the compiler's errors, formatted, or an empty string
 */
function buildDist(): string {
  const host: ts.FormatDiagnosticsHost = {
    getCanonicalFileName: (name) => name,
    getCurrentDirectory: () => packageDir,
    getNewLine: () => '\n',
  }
  let configError: ts.Diagnostic | undefined
  const config = ts.getParsedCommandLineOfConfigFile(
    join(packageDir, 'tsconfig.build.json'),
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (diagnostic) => (configError = diagnostic),
    },
  )
  if (config === undefined || configError !== undefined) {
    return ts.formatDiagnostics(configError === undefined ? [] : [configError], host)
  }
  const outDir = config.options.outDir ?? join(packageDir, 'dist')
  const program = ts.createProgram({ rootNames: config.fileNames, options: config.options })
  const emitted = new Set<string>()
  const result = program.emit(undefined, (fileName, text) => {
    emitted.add(resolve(fileName))
    replaceFile(resolve(fileName), text)
  })
  const diagnostics = [...ts.getPreEmitDiagnostics(program), ...result.diagnostics]
  // Files aside (`.tmp`) may be another run's, about to be renamed: not ours to remove.
  const stale = filesUnder(outDir).filter((file) => !emitted.has(file) && !file.endsWith('.tmp'))
  for (const file of stale) rmSync(file, { force: true })
  return ts.formatDiagnostics(diagnostics, host)
}

function replaceFile(file: string, text: string): void {
  try {
    if (readFileSync(file, 'utf8') === text) return
  } catch {
    // Not there yet.
  }
  mkdirSync(dirname(file), { recursive: true })
  const aside = `${file}.${process.pid}.tmp`
  writeFileSync(aside, text)
  renameSync(aside, file)
}

function filesUnder(dir: string): string[] {
  try {
    return readdirSync(dir, { recursive: true, encoding: 'utf8' })
      .map((name) => join(dir, name))
      .filter(isFile)
  } catch {
    return []
  }
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile()
  } catch {
    return false
  }
}
