// Builds a package's published output (dist/) before a project's tests, for the runtime tests
// (runtimes-*.test.ts), which import the package as its users do; the other tests use sources.
//
// This is `tsc -p tsconfig.build.json` (the build script) through the compiler API, with two
// differences that keep concurrent runs safe: every file is replaced atomically (written aside,
// then renamed), so a host starting in another test run never reads half a file, and a file is
// only rewritten when its content changed. Files of an older build that this one no longer
// emits are removed, as the build script's `rm -rf dist` would.
import {
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join, resolve } from 'node:path'
import ts from 'typescript'
import type { TestProject } from 'vitest/node'

declare module 'vitest' {
  export interface ProvidedContext {
    /** The core's build errors, formatted; empty when dist/ was built cleanly. */
    coreBuildErrors: string
  }
}

const coreDir = dirname(createRequire(import.meta.url).resolve('@fetch-session/core/package.json'))

/**
 * Builds the core's dist/ and provides its errors to the project's tests as `coreBuildErrors`,
 * again on every rerun; a global setup of any project whose runtime tests import the core.
 * @param project the project being set up
 */
export function provideCoreBuild(project: TestProject): void {
  project.provide('coreBuildErrors', buildDist(coreDir))
  project.onTestsRerun(() => project.provide('coreBuildErrors', buildDist(coreDir)))
}

/**
 * Compiles a package of the workspace as its tsconfig.build.json says, safely beside another
 * test run doing the same (see the top of this file).
 * @param packageDir the package's folder
 * @returns the compiler's errors, formatted, or an empty string
 */
export function buildDist(packageDir: string): string {
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
