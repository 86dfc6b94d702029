// `pnpm bench`: runs the micro suite and the HTTP suite, prints the markdown report to stdout
// and writes it to BENCHMARKS.md at the repository root. `--quick` is the smoke mode that
// `pnpm test` runs: a few requests per run, one round, and BENCHMARKS.md left alone.
//
// Options: --quick; --only <names> (contenders, comma-separated; the ceiling and the control
// always run; experiments such as hono-busy run only when named); --rounds <n>, --connections
// <n>, --seconds <s> (override the HTTP settings, for experiments); --baseline <dir> (also run
// the MemoryStore and wrap contenders from another checkout of the repository, installed, such
// as an older commit's: a before/after in one run; may be repeated; its other contenders, such
// as fs-redis-base, run when named by --only) with --baseline-label <text>
// (what the report calls each); --unpinned (servers and the load client free to use every core,
// as a server usually is: see findings.md on Web Crypto); --skip-micro; --skip-http; --output
// <file> (instead of BENCHMARKS.md; in quick mode, nothing is written unless this is given);
// --json <file> (the raw figures, for tests); --render <file> (no measuring: render the report
// again from raw figures, for instance after editing src/findings.md). A full run also keeps its
// raw figures in results.json (not tracked).
import { readFile, writeFile } from 'node:fs/promises'
import { cpus, release, type as osType } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { format, resolveConfig } from 'prettier'
import { contenders as allContenders } from './contenders.ts'
import type { Contender } from './contenders.ts'
import { nodeCrypto } from './crypto-provider.ts'
import { runHttpSuite } from './http-suite.ts'
import type { HttpSettings } from './http-suite.ts'
import { runMicroSuite } from './micro-suite.ts'
import type { MicroSettings } from './micro-suite.ts'
import { CONTROL, checkTargets, renderMarkdown } from './report.ts'
import type { BenchResults } from './report.ts'

const FULL_HTTP: HttpSettings = {
  rounds: 5,
  connections: 10,
  seconds: 1,
  newSessions: 200_000,
  newSecondsLimit: 2.5,
  warmSeconds: 0.5,
  pairWarmSeconds: 0.3,
  warmNewSessions: 2_000,
  isolatedSessions: 9_900,
}
const QUICK_HTTP: HttpSettings = {
  rounds: 1,
  connections: 2,
  seconds: 30,
  amount: 20,
  newSessions: 100,
  newSecondsLimit: 30,
  warmSeconds: 0,
  pairWarmSeconds: 0,
  warmNewSessions: 50,
  isolatedSessions: 2_000,
  pin: false,
}
const FULL_MICRO: MicroSettings = { minCpuTimeNs: 600e6, batchSamples: 4096, passes: 3 }
const QUICK_MICRO: MicroSettings = { minCpuTimeNs: 1e6, batchSamples: 16, passes: 1 }

const REPORT_FILE = new URL('../../../BENCHMARKS.md', import.meta.url)
const FINDINGS_FILE = new URL('./findings.md', import.meta.url)
const RESULTS_FILE = new URL('../results.json', import.meta.url)

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
    rounds: { type: 'string' },
    connections: { type: 'string' },
    seconds: { type: 'string' },
    'skip-micro': { type: 'boolean', default: false },
    unpinned: { type: 'boolean', default: false },
    baseline: { type: 'string', multiple: true },
    'baseline-label': { type: 'string', multiple: true },
    'skip-http': { type: 'boolean', default: false },
    output: { type: 'string' },
    json: { type: 'string' },
    render: { type: 'string' },
  },
})
const quick = values.quick

const started = Date.now()
const log = (line: string) =>
  process.stderr.write(`[${((Date.now() - started) / 1000).toFixed(1).padStart(5)} s] ${line}\n`)

const results =
  values.render === undefined ? await measure() : revive(await readFile(values.render, 'utf8'))
const findings = results.environment.quick ? '' : await readFile(FINDINGS_FILE, 'utf8')
// Formatted as the repository's formatter would, so that `pnpm lint` passes on the report.
const style = (await resolveConfig(fileURLToPath(REPORT_FILE))) ?? {}
const markdown = await format(renderMarkdown(results, findings), { ...style, parser: 'markdown' })
process.stdout.write(markdown)

const output = values.output ?? (quick ? undefined : REPORT_FILE)
if (output !== undefined) await writeFile(output, markdown)
const json = await format(JSON.stringify(results), { ...style, parser: 'json' })
if (values.json !== undefined) await writeFile(values.json, json)
// Only a run that writes BENCHMARKS.md keeps its figures beside it, so that a run written
// elsewhere (--output) cannot replace the figures the report was rendered from.
if (output === REPORT_FILE && values.render === undefined) await writeFile(RESULTS_FILE, json)
log(`done in ${Math.round((Date.now() - started) / 1000)} s`)

async function measure(): Promise<BenchResults> {
  let micro: BenchResults['micro'] = null
  if (!values['skip-micro']) {
    log('micro suite')
    micro = await runMicroSuite(quick ? QUICK_MICRO : FULL_MICRO, log)
  }
  let http: BenchResults['http'] = null
  if (!values['skip-http']) {
    log('HTTP suite')
    const settings = { ...(quick ? QUICK_HTTP : FULL_HTTP) }
    if (values.rounds !== undefined) settings.rounds = positive('rounds', values.rounds)
    if (values.connections !== undefined) {
      settings.connections = positive('connections', values.connections)
    }
    if (values.seconds !== undefined) settings.seconds = positive('seconds', values.seconds)
    if (values.unpinned) settings.pin = false
    http = await runHttpSuite(selectContenders(values.only), settings, log)
  }
  return {
    environment: {
      date: new Date(),
      seconds: Math.round((Date.now() - started) / 1000),
      node: process.version,
      v8: process.versions.v8,
      cpu: cpus()[0]?.model.trim() ?? 'unknown',
      cores: cpus().length,
      os: `${osType()} ${release()} ${process.arch}`,
      command: command(),
      loadGenerator: `autocannon ${await autocannonVersion()}, in a process of its own`,
      quick,
    },
    http,
    micro,
    targets: checkTargets(http, micro),
  }
}

// Raw figures read back from JSON, with the targets checked again.
function revive(text: string): BenchResults {
  const results = JSON.parse(text) as BenchResults
  results.environment.date = new Date(results.environment.date)
  results.targets = checkTargets(results.http, results.micro)
  return results
}

// The contenders to run: all, or those named by --only, with the ceiling first in any case.
// fetch-session is also measured with `nodeCrypto` when @fetch-session/node offers it.
function selectContenders(only: string | undefined): Contender[] {
  const list = [...allContenders]
  if (nodeCrypto !== null) {
    for (const name of ['fs-memory', 'fs-cookie']) {
      const base = list.find((contender) => contender.name === name)!
      list.splice(list.indexOf(base) + 1, 0, {
        ...base,
        name: `${name}-node`,
        label: `${base.label}, \`nodeCrypto\``,
        env: { ...base.env, CRYPTO: 'node' },
      })
    }
  }
  for (const [index, directory] of (values.baseline ?? []).entries()) {
    const root = resolve(directory)
    const suffix = index === 0 ? 'base' : `base${index + 1}`
    const what = values['baseline-label']?.[index] ?? suffix
    // A full run compares the MemoryStore servers; the others' older selves (`fs-redis-base`…)
    // run when named by --only, for a checkout whose servers have them.
    for (const base of list.filter(
      (contender) => contender.ours && !contender.name.endsWith('-node'),
    )) {
      const { name } = base
      let after = list.indexOf(base)
      while (list[after + 1]?.name.startsWith(name) === true) after++
      list.splice(after + 1, 0, {
        ...base,
        name: `${name}-${suffix}`,
        label: `${base.label}, ${what}`,
        file: join(root, 'examples', 'bench', 'src', 'servers', base.file),
        ours: false,
        experiment: base.experiment === true || !['fs-memory', 'fs-wrap'].includes(name),
      })
    }
  }
  if (only === undefined) return list.filter((contender) => contender.experiment !== true)
  const names = new Set(only.split(',').map((name) => name.trim()))
  const unknown = [...names].filter((name) => !list.some((contender) => contender.name === name))
  if (unknown.length > 0) {
    throw new Error(
      `unknown contender(s) ${unknown.join(', ')}; known: ${list.map((c) => c.name).join(', ')}`,
    )
  }
  // The ceiling and the control (see report.ts) always run: every ratio and its noise need them.
  return list.filter(
    (contender, index) => index === 0 || contender.name === CONTROL || names.has(contender.name),
  )
}

function positive(name: string, text: string): number {
  const value = Number(text)
  if (!(value > 0)) throw new Error(`--${name} must be a positive number, not ${text}`)
  return value
}

// How the bench was started, as a reader would type it.
function command(): string {
  // The baseline's directory is this machine's business; its label says what it is.
  const args = process.argv
    .slice(2)
    .map((arg, index, all) => (all[index - 1] === '--baseline' ? '<checkout>' : arg))
    .join(' ')
  const viaPnpm = process.env['npm_lifecycle_event'] === 'bench'
  const base = viaPnpm ? 'pnpm bench' : 'node --conditions=source --import tsx src/bench.ts'
  const where = viaPnpm ? 'from the root of the repository' : 'in examples/bench'
  return `\`${args === '' ? base : `${base} ${args}`}\` (${where})`
}

async function autocannonVersion(): Promise<string> {
  const url = new URL('../node_modules/autocannon/package.json', import.meta.url)
  try {
    return (JSON.parse(await readFile(url, 'utf8')) as { version: string }).version
  } catch {
    return ''
  }
}
