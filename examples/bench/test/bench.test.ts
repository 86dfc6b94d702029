import { spawn } from 'node:child_process'
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { missing } from '../src/databases.ts'
import type { BenchResults } from '../src/report.ts'

const PACKAGE_DIR = fileURLToPath(new URL('..', import.meta.url))
const REPORT_FILE = fileURLToPath(new URL('../../../BENCHMARKS.md', import.meta.url))

interface Outcome {
  code: number | null
  stdout: string
  stderr: string
}

function runQuickBench(json: string): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--conditions=source', '--import', 'tsx', 'src/bench.ts', '--quick', '--json', json],
      { cwd: PACKAGE_DIR, stdio: ['ignore', 'pipe', 'pipe'] },
    )
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stdout, stderr }))
  })
}

async function fileState(path: string): Promise<string> {
  try {
    const info = await stat(path)
    return `${info.mtimeMs} ${info.size}`
  } catch {
    return 'absent'
  }
}

describe('pnpm bench --quick', () => {
  let directory: string
  let outcome: Outcome
  let results: BenchResults
  let reportBefore: string

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'bench-smoke-'))
    reportBefore = await fileState(REPORT_FILE)
    const json = join(directory, 'results.json')
    outcome = await runQuickBench(json)
    if (outcome.code !== 0) throw new Error(`the bench failed:\n${outcome.stderr}`)
    results = JSON.parse(await readFile(json, 'utf8')) as BenchResults
  }, 180_000)

  afterAll(async () => {
    if (directory !== undefined) await rm(directory, { recursive: true, force: true })
  })

  it('prints a markdown report and leaves BENCHMARKS.md alone', async () => {
    expect(outcome.stdout).toContain('# Benchmarks')
    expect(outcome.stdout).toMatch(/^\| contender +\| req\/s \(median\) +\|/m)
    expect(outcome.stdout).toContain('## Micro suite')
    expect(await fileState(REPORT_FILE)).toBe(reportBefore)
  })

  it('starts every contender, and each counts with the cookie resent', () => {
    const http = results.http!
    expect(http.contenders.map((contender) => contender.name)).toEqual(
      expect.arrayContaining(['hono', 'fs-memory', 'fs-cookie', 'fs-file', 'fs-wrap']),
    )
    expect(http.contenders.map((contender) => contender.name)).toEqual(
      expect.arrayContaining(['hono-control', 'hs-memory', 'hs-cookie', 'express']),
    )
    // Experiments run only when named.
    expect(http.contenders.map((contender) => contender.name)).not.toContain('hono-busy')
    for (const contender of http.contenders) {
      const check = http.checks[contender.name]!
      expect(check.statuses, contender.name).toEqual([200, 200, 200, 200])
      expect(check.counter, contender.name).toEqual([1, 2, 3])
      expect(check.setCookie, contender.name).toBe(contender.sessions)
      // fetch-session is lazy: a route that never asks for the session sets no cookie.
      if (contender.ours) expect(check.untouchedSetCookie, contender.name).toBe(false)
    }
  })

  it.skipIf(missing('redis') !== null)(
    'runs RedisStore beside connect-redis on a redis-server of its own',
    () => {
      const names = results.http!.contenders.map((contender) => contender.name)
      expect(names).toEqual(expect.arrayContaining(['fs-redis', 'express-redis']))
      expect(results.http!.runs.existing['fs-redis']![0]!.setCookies).toBe(0)
      expect(results.http!.memory['fs-redis']!.after.sessions).toBeGreaterThan(0)
    },
  )

  it.skipIf(missing('postgres') !== null)(
    'runs PostgresStore beside connect-pg-simple on a PostgreSQL of its own',
    () => {
      const names = results.http!.contenders.map((contender) => contender.name)
      expect(names).toEqual(expect.arrayContaining(['fs-postgres', 'express-pg']))
      expect(results.http!.runs.existing['fs-postgres']![0]!.setCookies).toBe(0)
      expect(results.http!.memory['express-pg']!.after.sessions).toBeGreaterThan(0)
    },
  )

  it.skipIf(missing('redis') === null && missing('postgres') === null)(
    'skips, with the reason, the contenders whose database server is not installed',
    () => {
      const skipped = results.http!.skipped.map((entry) => entry.name)
      if (missing('redis') !== null) expect(skipped).toContain('express-redis')
      if (missing('postgres') !== null) expect(skipped).toContain('express-pg')
      expect(outcome.stdout).toContain('Not measured:')
    },
  )

  it('pairs every run with a run of the ceiling', () => {
    const http = results.http!
    const others = http.contenders.slice(1).map((contender) => contender.name)
    for (const scenario of ['existing', 'untouched', 'new'] as const) {
      const partners = http.runs[scenario]['hono']!.map((run) => run.partner)
      expect(partners.sort(), scenario).toEqual([...others].sort())
    }
    expect(outcome.stdout).toContain('## Noise')
  })

  it('loads every contender in every scenario without errors', () => {
    const http = results.http!
    for (const scenario of ['existing', 'untouched', 'new'] as const) {
      for (const contender of http.contenders) {
        const runs = http.runs[scenario][contender.name]!
        // The ceiling runs once beside each of the others.
        const expected = contender.name === 'hono' ? http.contenders.length - 1 : 1
        expect(runs, `${scenario} ${contender.name}`).toHaveLength(expected)
        for (const run of runs) {
          expect(run.requests, `${scenario} ${contender.name}`).toBeGreaterThan(0)
          expect(run.errors, `${scenario} ${contender.name}`).toBe(0)
          // Existing sessions count up by one per response; new ones always read 1.
          expect(run.counterErrors, `${scenario} ${contender.name}`).toBe(0)
        }
      }
    }
  })

  it('keeps sessions alive under load: existing sessions set no cookie with a server-side store', () => {
    const http = results.http!
    for (const name of ['fs-memory', 'fs-file', 'fs-wrap']) {
      expect(http.runs.existing[name]![0]!.setCookies, name).toBe(0)
      expect(http.runs.untouched[name]![0]!.setCookies, name).toBe(0)
    }
    // Every new session is stored and announced.
    const run = http.runs.new['fs-memory']![0]!
    expect(run.setCookies).toBe(run.requests)
  })

  it('reads memory and the sessions held around the new-session scenario', () => {
    const memory = results.http!.memory
    const fsMemory = memory['fs-memory']!
    expect(fsMemory.after.sessions).toBeGreaterThan(fsMemory.before.sessions!)
    expect(fsMemory.after.sessions).toBeLessThanOrEqual(10_000)
    expect(fsMemory.after.heapUsed).toBeGreaterThan(0)
    expect(memory['fs-cookie']!.after.sessions).toBeNull()
    // Measured apart from HTTP too, in a process of its own.
    const isolated = results.http!.isolated['fs-memory']!
    expect(isolated.heldAfter).toBeGreaterThan(isolated.heldBefore)
    expect(isolated.bytesPerSession).toBeGreaterThan(0)
  })

  it('measures every micro case and checks the targets', () => {
    const micro = results.micro!
    const groups = new Set(micro.map((result) => result.group))
    expect([...groups].some((group) => group.startsWith('parse a 10-cookie'))).toBe(true)
    expect([...groups].some((group) => group.startsWith('seal'))).toBe(true)
    for (const result of micro) expect(result.ns, result.name).toBeGreaterThan(0)
    expect(results.targets.length).toBeGreaterThan(5)
  })
})
