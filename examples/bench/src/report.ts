// Turns what the suites measured into the markdown of BENCHMARKS.md: the environment, the
// targets, one table per HTTP scenario, the micro suite, then the findings written by hand.
import type { Contender } from './contenders.ts'
import type { HttpReport, Run, Scenario } from './http-suite.ts'
import type { MicroResult } from './micro-suite.ts'

/** Where and how the bench ran. */
export interface Environment {
  date: Date
  /** How long the run took. */
  seconds: number
  node: string
  v8: string
  cpu: string
  cores: number
  os: string
  command: string
  loadGenerator: string
  quick: boolean
}

/** One target of the issue, checked against the figures. */
export interface TargetCheck {
  target: string
  measured: string
  met: boolean | null
  /** The target lies inside the figure's noise (see `noise`): the verdict could go either way. */
  close?: boolean
  /**
   * What the floor experiment for this target read in the same run: a hand-written session with
   * none of the library's features, or for the untouched route an empty middleware.
   */
  floor?: string | undefined
}

/** Everything the report is made of. */
export interface BenchResults {
  environment: Environment
  http: HttpReport | null
  micro: MicroResult[] | null
  targets: TargetCheck[]
}

const CEILING = 'hono'
// The floor experiments (src/minimal-session.ts, src/minimal-cookie-session.ts) and the least
// any Hono middleware costs.
const STORED_FLOOR = 'minimal-session'
const SEALED_FLOOR = 'minimal-cookie-session'
const MIDDLEWARE_FLOOR = 'hono-middleware'
const MAX_SESSIONS = 10_000
const MAX_BYTES_PER_SESSION = 200

/** The median of a list of numbers (the mean of the middle two for an even count). */
export function median(values: number[]): number {
  if (values.length === 0) return Number.NaN
  const sorted = [...values].sort((a, b) => a - b)
  const middle = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2
}

/** The control: a second bare Hono server, whose ratios show the method's noise. */
export const CONTROL = 'hono-control'

/**
 * A contender's ratio to the ceiling in each round, each taken against the ceiling's run paired
 * with it: by throughput (the contender's req/s over the ceiling's) or by server CPU time per
 * response (the ceiling's over the contender's), which the client and other work on the
 * machine disturb far less.
 * @param report the HTTP suite's report
 * @param scenario the scenario
 * @param name the contender
 * @param by `rps` or `cpu`
 */
export function ratios(
  report: HttpReport,
  scenario: Scenario,
  name: string,
  by: 'rps' | 'cpu' = 'rps',
): number[] {
  const ceiling = report.runs[scenario][CEILING] ?? []
  return (report.runs[scenario][name] ?? []).flatMap((run) => {
    // Results of older runs have no pairs: one ceiling run per round.
    const base = ceiling.find(
      (other) => other.round === run.round && (other.partner ?? name) === name,
    )
    if (base === undefined) return []
    if (by === 'rps') return base.rps === 0 ? [] : [run.rps / base.rps]
    return run.serverCpuUs === 0 ? [] : [base.serverCpuUs / run.serverCpuUs]
  })
}

/**
 * The median, over rounds, of a contender's throughput divided by the ceiling's in its pair.
 * @param report the HTTP suite's report
 * @param scenario the scenario
 * @param name the contender
 */
export function ratio(report: HttpReport, scenario: Scenario, name: string): number {
  return median(ratios(report, scenario, name, 'rps'))
}

/**
 * The median, over rounds, of the ceiling's server CPU time per response divided by the
 * contender's in its pair.
 * @param report the HTTP suite's report
 * @param scenario the scenario
 * @param name the contender
 */
export function cpuRatio(report: HttpReport, scenario: Scenario, name: string): number {
  return median(ratios(report, scenario, name, 'cpu'))
}

/**
 * How far the control's ratio strayed from 1 in the worst round: the relative difference that
 * two runs of the same code reach in this run, below which no difference is told apart.
 * @param report the HTTP suite's report
 * @param scenario the scenario
 * @param by `rps` or `cpu`
 * @returns the relative deviation, or `null` without a control
 */
export function noise(report: HttpReport, scenario: Scenario, by: 'rps' | 'cpu'): number | null {
  const control = ratios(report, scenario, CONTROL, by)
  if (control.length === 0) return null
  return Math.max(...control.map((value) => Math.abs(value - 1)))
}

/**
 * Whether a target is inside the noise of a contender's figure: between its lowest and highest
 * round, or closer to its median than the control's worst deviation.
 */
function insideNoise(report: HttpReport, scenario: Scenario, name: string, target: number) {
  const values = ratios(report, scenario, name, 'rps')
  if (values.length === 0) return false
  const middle = median(values)
  const deviation = noise(report, scenario, 'rps') ?? 0
  return (
    (Math.min(...values) <= target && target <= Math.max(...values)) ||
    Math.abs(middle - target) <= deviation * middle
  )
}

/**
 * Retained heap bytes per session, measured apart from the HTTP suite (see memory-probe.ts).
 * @param report the HTTP suite's report
 * @param name the contender
 * @returns `null` when it was not measured
 */
export function isolatedBytesPerSession(report: HttpReport, name: string): number | null {
  return report.isolated?.[name]?.bytesPerSession ?? null
}

/**
 * Retained heap bytes per session held, over the new-session scenario.
 * @param report the HTTP suite's report
 * @param name the contender
 * @returns `null` when the contender holds no sessions
 */
export function bytesPerSession(report: HttpReport, name: string): number | null {
  const memory = report.memory[name]
  if (memory === undefined || memory.after.sessions === null || memory.before.sessions === null)
    return null
  const held = memory.after.sessions - memory.before.sessions
  return held > 0 ? (memory.after.heapUsed - memory.before.heapUsed) / held : null
}

/**
 * Checks the issue's targets against the figures.
 * @param http the HTTP suite's report, if it ran
 * @param micro the micro suite's results, if it ran
 */
export function checkTargets(http: HttpReport | null, micro: MicroResult[] | null): TargetCheck[] {
  const checks: TargetCheck[] = []
  if (http !== null) {
    const has = (name: string) => http.contenders.some((contender) => contender.name === name)
    const memoryNames = ['fs-memory', 'fs-memory-node', 'fs-wrap'].filter(has)
    const cookieNames = ['fs-cookie', 'fs-cookie-node'].filter(has)
    const existingTargets = [
      ...memoryNames.map((name) => [name, 0.6] as const),
      ...cookieNames.map((name) => [name, 0.35] as const),
    ]
    const floor = (scenario: Scenario, name: string) =>
      has(name) ? both(http, scenario, name) : undefined
    for (const [name, target] of existingTargets) {
      checks.push({
        target: `existing session, ${label(http, name)}: at least ${target.toFixed(2)} of bare Hono`,
        measured: both(http, 'existing', name),
        met: ratio(http, 'existing', name) >= target,
        close: insideNoise(http, 'existing', name, target),
        floor: floor('existing', cookieNames.includes(name) ? SEALED_FLOOR : STORED_FLOOR),
      })
    }
    for (const name of memoryNames) {
      const r = ratio(http, 'new', name)
      const memory = http.memory[name]
      const held = memory?.after.sessions ?? null
      const bytes = isolatedBytesPerSession(http, name)
      checks.push({
        target:
          `new session per request, ${label(http, name)}: at least 0.50 of bare Hono, ` +
          `at most ${MAX_SESSIONS.toLocaleString('en-US')} sessions held, ` +
          `at most ${MAX_BYTES_PER_SESSION} retained bytes per session`,
        measured:
          `${both(http, 'new', name)}; ${held?.toLocaleString('en-US') ?? '?'} held; ` +
          `${bytes === null ? '?' : Math.round(bytes)} B/session`,
        close: insideNoise(http, 'new', name, 0.5),
        floor: floor('new', STORED_FLOOR),
        met:
          r >= 0.5 &&
          held !== null &&
          held <= MAX_SESSIONS &&
          bytes !== null &&
          bytes <= MAX_BYTES_PER_SESSION,
      })
    }
    for (const [ours, theirs, factor] of [
      ['fs-redis', 'express-redis', 3],
      ['fs-postgres', 'express-pg', 2],
    ] as const) {
      if (!has(ours) || !has(theirs)) continue
      const mine = median(http.runs.existing[ours]!.map((run) => run.rps))
      const peer = median(http.runs.existing[theirs]!.map((run) => run.rps))
      checks.push({
        target: `existing session, ${label(http, ours)}: at least ${factor}x ${label(http, theirs)}`,
        measured: `${(mine / peer).toFixed(1)}x (${both(http, 'existing', ours)} against ${both(http, 'existing', theirs)})`,
        met: mine >= factor * peer,
      })
    }
    for (const name of [...memoryNames, ...cookieNames, 'fs-file'].filter(has)) {
      const r = ratio(http, 'untouched', name)
      checks.push({
        target: `route that never touches the session, ${label(http, name)}: at least 0.97`,
        measured: both(http, 'untouched', name),
        met: r >= 0.97,
        close: insideNoise(http, 'untouched', name, 0.97),
        floor: floor('untouched', MIDDLEWARE_FLOOR),
      })
    }
  }
  if (micro !== null) {
    for (const group of new Set(micro.map((result) => result.group))) {
      if (!group.startsWith('parse')) continue
      const ours = micro.find((result) => result.group === group && result.ours)
      const theirs = micro.find(
        (result) => result.group === group && result.name.includes('jshttp'),
      )
      if (ours === undefined || theirs === undefined) continue
      checks.push({
        target: `\`parseCookie\` at least as fast as jshttp \`cookie\`: ${group}`,
        measured: `${ours.ns.toFixed(0)} ns vs ${theirs.ns.toFixed(0)} ns`,
        met: ours.ns <= theirs.ns,
      })
    }
  }
  return checks
}

// The throughput ratio with its range over rounds, then the CPU-time ratio.
function both(report: HttpReport, scenario: Scenario, name: string): string {
  return (
    `${spread(ratios(report, scenario, name, 'rps'))} ` +
    `(CPU ${spread(ratios(report, scenario, name, 'cpu'))})`
  )
}

/** The median of a contender's ratios and their range over rounds: `0.41 (0.38–0.44)`. */
export function spread(values: number[]): string {
  if (values.length === 0) return '?'
  const middle = median(values).toFixed(2)
  if (values.length === 1) return middle
  return `${middle} (${Math.min(...values).toFixed(2)}–${Math.max(...values).toFixed(2)})`
}

function label(report: HttpReport, name: string): string {
  return report.contenders.find((contender) => contender.name === name)?.label ?? name
}

/**
 * The markdown report.
 * @param results the figures
 * @param findings hand-written notes appended at the end
 */
export function renderMarkdown(results: BenchResults, findings: string): string {
  const { environment: env, http, micro, targets } = results
  const lines: string[] = []
  lines.push('# Benchmarks', '')
  lines.push(
    'Written by the bench in `examples/bench` (`pnpm bench`); the figures below come from one ' +
      'run, and every ratio compares contenders measured side by side in that run.',
    '',
  )
  if (env.quick) {
    lines.push(
      '> Quick mode: tiny durations, one round. These figures only show that the bench works.',
      '',
    )
  }
  lines.push(
    `- Date: ${env.date.toISOString()}`,
    `- Node: ${env.node} (V8 ${env.v8})`,
    `- CPU: ${env.cpu}, ${env.cores} logical cores`,
    `- OS: ${env.os}`,
    `- Command: ${env.command}, which took ` + `${Math.round(env.seconds / 6) / 10} minutes`,
    `- Load generator: ${env.loadGenerator}`,
  )
  if (http !== null) {
    const s = http.settings
    const perRun =
      s.amount === undefined ? `${s.seconds} s` : `${s.amount} responses (at most ${s.seconds} s)`
    lines.push(
      `- HTTP suite: ${s.rounds} round(s), each running every scenario on every contender in ` +
        'alternating order (forward, then backward), every run paired with a run of bare ' +
        'Hono right beside it (before it in odd rounds, after it in even ones)' +
        ((s.pairWarmSeconds ?? 0) > 0
          ? `, each pair preceded by ${s.pairWarmSeconds} s of unmeasured load on the contender; `
          : '; ') +
        `${s.connections} connections, each one browser with a cookie jar; ` +
        `${perRun} per run; new sessions: ${s.newSessions.toLocaleString('en-US')} ` +
        `requests in all, at most ${s.newSecondsLimit} s per run; ${http.placement}`,
      '- p99 latencies are whole milliseconds, as autocannon records them.',
      '- A ratio is the median over rounds of the ratio within each pair, followed by the lowest ' +
        'and the highest round in parentheses.',
      '- "Server CPU µs/req" is the CPU time of the server process (all its threads) over a run ' +
        'divided by the responses of that run; "server cores" is that CPU time over the run\'s ' +
        'duration (above 1.00 when other threads work alongside the main one); "ratio by CPU" ' +
        "divides bare Hono's by the contender's, pair by pair.",
    )
    for (const skipped of http.skipped ?? []) {
      lines.push(`- Not measured: ${skipped.label} (${skipped.reason}).`)
    }
  }
  lines.push('')

  if (targets.length > 0) {
    lines.push(
      '## Targets',
      '',
      'Ratios are to bare Hono, by requests per second as the issue asks, with the lowest ' +
        "and highest round; then by server CPU time per request (bare Hono's over the " +
        'contender\'s), which other work on the machine disturbs far less. "Close" marks a ' +
        'target inside the noise of its figure: between its lowest and highest round, or ' +
        'nearer its median than the control strayed from 1.00 (see "Noise" below). "Floor" ' +
        'is what the same run measured for the least that could meet the target: a session ' +
        "written by hand for the bench's one route, with none of the library's features " +
        '(options, expiry, concurrency, errors), over a `Map` for the MemoryStore targets and ' +
        'sealed in its cookie for the CookieStore ones; for the untouched route, a Hono ' +
        'middleware that only calls `next()`.',
      '',
      '| target | measured | met | floor |',
      '| --- | --- | --- | --- |',
    )
    for (const check of targets) {
      const met = check.met === null ? '?' : check.met ? 'yes' : '**no**'
      const close = check.close ? ', close' : ''
      lines.push(`| ${check.target} | ${check.measured} | ${met}${close} | ${check.floor ?? '–'} |`)
    }
    lines.push('')
  }

  if (http !== null) {
    lines.push(...noiseSection(http))
    lines.push(...httpTables(http))
  }
  if (micro !== null) {
    lines.push(...microTable(micro))
  }
  if (findings.trim() !== '') lines.push(findings.trim(), '')
  return lines.join('\n')
}

const TITLES: Record<Scenario, string> = {
  existing: 'Existing session: `GET /counter` with the cookie resent',
  untouched: 'A route that never touches the session: `GET /untouched` with the cookie',
  new: 'A new session on every request: `GET /counter` without a cookie',
}

const EXPLANATIONS: Record<Scenario, string> = {
  existing:
    'Each connection starts with a session of its own and resends its cookie; the route ' +
    'reads, increments and writes the counter. "Set-Cookie" is the share of responses that ' +
    'set a cookie.',
  untouched:
    'The middleware is mounted but the handler never asks for the session: the cost of ' +
    'merely mounting it. The browsers still send their session cookies.',
  new:
    'No cookie is sent, so every request creates, stores and signs (or seals) a new session. ' +
    'Memory is read after two full garbage collections, before the first run and after the ' +
    'last; "per session, this run" is the heap growth divided by the growth in sessions held. ' +
    'Over a few thousand sessions that figure moves with whatever else the heap held at each ' +
    'probe, so the target is checked against "per session, measured apart": a process of its ' +
    'own sends 9,900 new-session requests straight to the application (no HTTP) and compares ' +
    'the heap after full collections, before and after, with the store nearly at its bound.',
}

function httpTables(http: HttpReport): string[] {
  const lines: string[] = []
  for (const scenario of ['existing', 'new', 'untouched'] as const) {
    lines.push(`## ${TITLES[scenario]}`, '', EXPLANATIONS[scenario], '')
    const head = ['contender', 'req/s (median)', 'p99 ms (median)', 'ratio to bare Hono']
    head.push('server CPU µs/req', 'server cores', 'ratio by CPU')
    if (scenario === 'new') {
      head.push(
        'requests sent',
        'sessions held',
        'RSS after',
        'heap retained',
        'per session, this run',
        'per session, measured apart',
      )
    } else {
      head.push('Set-Cookie')
    }
    head.push('errors')
    lines.push(`| ${head.join(' | ')} |`, `| ${head.map(() => '---').join(' | ')} |`)
    for (const contender of http.contenders) {
      const runs = http.runs[scenario][contender.name] ?? []
      lines.push(`| ${row(http, scenario, contender, runs).join(' | ')} |`)
    }
    lines.push('')
  }
  return lines
}

function row(http: HttpReport, scenario: Scenario, contender: Contender, runs: Run[]): string[] {
  const requests = runs.reduce((sum, run) => sum + run.requests, 0)
  const cells = [
    contender.ours ? `**${contender.label}**` : contender.label,
    integer(median(runs.map((run) => run.rps))),
    median(runs.map((run) => run.p99Ms)).toFixed(1),
    contender.name === CEILING ? '1.00' : spread(ratios(http, scenario, contender.name, 'rps')),
    median(runs.map((run) => run.serverCpuUs)).toFixed(1),
    // More than 1 when work runs on other threads alongside (Web Crypto on libuv's pool).
    median(
      runs.map((run) =>
        run.seconds > 0 ? (run.serverCpuUs * run.requests) / 1e6 / run.seconds : 0,
      ),
    ).toFixed(2),
    contender.name === CEILING ? '1.00' : spread(ratios(http, scenario, contender.name, 'cpu')),
  ]
  if (scenario === 'new') {
    const memory = contender.sessions ? http.memory[contender.name] : undefined
    const bytes = bytesPerSession(http, contender.name)
    const isolated = isolatedBytesPerSession(http, contender.name)
    cells.push(
      integer(requests),
      memory === undefined
        ? '–'
        : memory.after.sessions === null
          ? 'none (client-side)'
          : integer(memory.after.sessions) +
            (contender.database === undefined ? '' : ` (in ${DATABASE_NAMES[contender.database]})`),
      memory === undefined ? '–' : megabytes(memory.after.rss),
      memory === undefined ? '–' : megabytes(memory.after.heapUsed - memory.before.heapUsed),
      contender.directory === true
        ? '– (on disk)'
        : contender.database !== undefined
          ? `– (in ${DATABASE_NAMES[contender.database]})`
          : bytes === null
            ? '–'
            : `${integer(bytes)} B`,
      isolated === null ? '–' : `${integer(isolated)} B`,
    )
  } else {
    const setCookies = runs.reduce((sum, run) => sum + run.setCookies, 0)
    cells.push(requests === 0 ? '–' : `${Math.round((100 * setCookies) / requests)}%`)
  }
  const errors = runs.reduce((sum, run) => sum + run.errors + run.counterErrors, 0)
  cells.push(String(errors))
  return cells
}

const DATABASE_NAMES = { redis: 'Redis', postgres: 'PostgreSQL' } as const

// What the control says about the noise, and which contenders running the same code for a
// route are told apart by this run.
function noiseSection(http: HttpReport): string[] {
  if (!http.contenders.some((contender) => contender.name === CONTROL)) return []
  const lines = [
    '## Noise',
    '',
    'The control is a second bare Hono server, paired with bare Hono like every contender: ' +
      'the same code, so its ratio would be 1.00 on a quiet machine, and how far it strays is ' +
      'what this run cannot tell apart. A difference between two figures smaller than that, ' +
      'or between two figures whose ranges overlap, is inside the noise.',
    '',
    '| scenario | control, by req/s | control, by CPU | worst deviation, req/s | worst deviation, CPU |',
    '| --- | --- | --- | --- | --- |',
  ]
  for (const scenario of ['existing', 'new', 'untouched'] as const) {
    const rps = noise(http, scenario, 'rps')
    const cpu = noise(http, scenario, 'cpu')
    lines.push(
      `| ${SHORT_TITLES[scenario]} | ${spread(ratios(http, scenario, CONTROL, 'rps'))} | ` +
        `${spread(ratios(http, scenario, CONTROL, 'cpu'))} | ` +
        `${rps === null ? '?' : `${(100 * rps).toFixed(0)}%`} | ` +
        `${cpu === null ? '?' : `${(100 * cpu).toFixed(0)}%`} |`,
    )
  }
  // The Hono contenders whose untouched route runs the same code: the middleware keeps the
  // request and calls next().
  const same = http.contenders.filter(
    (contender) => contender.ours && contender.file === 'fetch-session-hono.ts',
  )
  if (same.length > 1) {
    const values = same.map((contender) => ratio(http, 'untouched', contender.name))
    const cpus = same.map((contender) => cpuRatio(http, 'untouched', contender.name))
    lines.push(
      '',
      `On the route that never touches the session, the ${same.length} Hono + fetch-session ` +
        'contenders run the same code (the middleware keeps the request and calls `next()`); ' +
        `their medians span ${Math.min(...values).toFixed(2)}–${Math.max(...values).toFixed(2)} ` +
        `by req/s and ${Math.min(...cpus).toFixed(2)}–${Math.max(...cpus).toFixed(2)} by CPU.`,
    )
  }
  lines.push('')
  return lines
}

const SHORT_TITLES: Record<Scenario, string> = {
  existing: 'existing session',
  untouched: 'untouched route',
  new: 'new session',
}

function microTable(micro: MicroResult[]): string[] {
  const lines = [
    '## Micro suite',
    '',
    'mitata, in one process; mean time per call, the median of three passes over all the ' +
      'cases. The "on Node, no socket" cases are timed by the CPU time of the process instead ' +
      '(the median of batches of calls), which other work on the machine disturbs least: whole ' +
      "requests through the request listener that serves them on Node, with node:http's real " +
      'request and response objects but no connection. "Relative" divides by the time of the ' +
      "case's first row: fetch-session's for the codec and crypto cases, bare Hono's for the " +
      'in-process requests (whose own cost includes building a `Request`).',
    '',
    '| case | implementation | ns per call | p99 ns | relative |',
    '| --- | --- | --- | --- | --- |',
  ]
  for (const group of new Set(micro.map((result) => result.group))) {
    const members = micro.filter((result) => result.group === group)
    const base = members.find((result) => result.baseline)
    for (const result of [...members].sort((a, b) => Number(b.baseline) - Number(a.baseline))) {
      const relative = base === undefined ? '–' : (result.ns / base.ns).toFixed(2)
      const name = result.ours ? `**${result.name}**` : result.name
      const p99 = Number.isFinite(result.p99) ? integer(result.p99) : '– (CPU time)'
      lines.push(`| ${group} | ${name} | ${integer(result.ns)} | ${p99} | ${relative} |`)
    }
  }
  lines.push('')
  return lines
}

function integer(value: number): string {
  return Number.isFinite(value) ? Math.round(value).toLocaleString('en-US') : '?'
}

function megabytes(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`
}
