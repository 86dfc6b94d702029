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
}

/** Everything the report is made of. */
export interface BenchResults {
  environment: Environment
  http: HttpReport | null
  micro: MicroResult[] | null
  targets: TargetCheck[]
}

const CEILING = 'hono'
const MAX_SESSIONS = 10_000
const MAX_BYTES_PER_SESSION = 200

/** The median of a list of numbers (the mean of the middle two for an even count). */
export function median(values: number[]): number {
  if (values.length === 0) return Number.NaN
  const sorted = [...values].sort((a, b) => a - b)
  const middle = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2
}

/**
 * The median, over rounds, of a contender's throughput divided by the ceiling's in the same
 * round.
 * @param report the HTTP suite's report
 * @param scenario the scenario
 * @param name the contender
 */
export function ratio(report: HttpReport, scenario: Scenario, name: string): number {
  const ceiling = report.runs[scenario][CEILING] ?? []
  const runs = report.runs[scenario][name] ?? []
  const ratios = runs.flatMap((run) => {
    const base = ceiling.find((other) => other.round === run.round)
    return base === undefined || base.rps === 0 ? [] : [run.rps / base.rps]
  })
  return median(ratios)
}

/**
 * The median, over rounds, of the ceiling's server CPU time per response divided by the
 * contender's in the same round: the throughput ratio the two would have on a core of their
 * own, whatever else the machine was doing.
 * @param report the HTTP suite's report
 * @param scenario the scenario
 * @param name the contender
 */
export function cpuRatio(report: HttpReport, scenario: Scenario, name: string): number {
  const ceiling = report.runs[scenario][CEILING] ?? []
  const runs = report.runs[scenario][name] ?? []
  const ratios = runs.flatMap((run) => {
    const base = ceiling.find((other) => other.round === run.round)
    return base === undefined || run.serverCpuUs === 0 ? [] : [base.serverCpuUs / run.serverCpuUs]
  })
  return median(ratios)
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
 * Checks the targets against the figures.
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
    for (const [name, target] of existingTargets) {
      checks.push({
        target: `existing session, ${label(http, name)}: at least ${target.toFixed(2)} of bare Hono`,
        measured: both(http, 'existing', name),
        met: ratio(http, 'existing', name) >= target,
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
        met:
          r >= 0.5 &&
          held !== null &&
          held <= MAX_SESSIONS &&
          bytes !== null &&
          bytes <= MAX_BYTES_PER_SESSION,
      })
    }
    for (const name of [...memoryNames, ...cookieNames, 'fs-file'].filter(has)) {
      const r = ratio(http, 'untouched', name)
      checks.push({
        target: `route that never touches the session, ${label(http, name)}: at least 0.97`,
        measured: both(http, 'untouched', name),
        met: r >= 0.97,
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

// The throughput ratio, then the CPU-time ratio in parentheses.
function both(report: HttpReport, scenario: Scenario, name: string): string {
  const r = ratio(report, scenario, name)
  return `${r.toFixed(2)} (CPU ${cpuRatio(report, scenario, name).toFixed(2)})`
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
        'alternating order (forward, then backward); ' +
        `${s.connections} connections, each one browser with a cookie jar; ` +
        `${perRun} per run; new sessions: ${s.newSessions.toLocaleString('en-US')} ` +
        `requests in all, at most ${s.newSecondsLimit} s per run; ${http.placement}`,
      '- p99 latencies are whole milliseconds, as autocannon records them.',
      '- "Server CPU µs/req" is the CPU time of the server process (all its threads) over a run ' +
        'divided by the responses of that run; "ratio by CPU" divides bare Hono\'s by the ' +
        "contender's, round by round.",
    )
  }
  lines.push('')

  if (targets.length > 0) {
    lines.push(
      '## Targets',
      '',
      'Ratios are to bare Hono, by requests per second as the issue asks; in parentheses, by ' +
        "server CPU time per request (bare Hono's over the contender's), which other work on " +
        'the machine disturbs far less.',
      '',
      '| target | measured | met |',
      '| --- | --- | --- |',
    )
    for (const check of targets) {
      const met = check.met === null ? '?' : check.met ? 'yes' : '**no**'
      lines.push(`| ${check.target} | ${check.measured} | ${met} |`)
    }
    lines.push('')
  }

  if (http !== null) {
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
    head.push('req/s per round', 'server CPU µs/req', 'ratio by CPU')
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
    contender.name === CEILING ? '1.00' : ratio(http, scenario, contender.name).toFixed(2),
    runs.map((run) => integer(run.rps)).join(', '),
    median(runs.map((run) => run.serverCpuUs)).toFixed(1),
    contender.name === CEILING ? '1.00' : cpuRatio(http, scenario, contender.name).toFixed(2),
  ]
  if (scenario === 'new') {
    const memory = http.memory[contender.name]
    const bytes = bytesPerSession(http, contender.name)
    const isolated = isolatedBytesPerSession(http, contender.name)
    cells.push(
      integer(requests),
      memory === undefined
        ? '?'
        : memory.after.sessions === null
          ? 'none (client-side)'
          : integer(memory.after.sessions),
      memory === undefined ? '?' : megabytes(memory.after.rss),
      memory === undefined ? '?' : megabytes(memory.after.heapUsed - memory.before.heapUsed),
      contender.directory === true ? '– (on disk)' : bytes === null ? '–' : `${integer(bytes)} B`,
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

function microTable(micro: MicroResult[]): string[] {
  const lines = [
    '## Micro suite',
    '',
    'mitata, in one process; mean time per call, the median of three passes over all the ' +
      'cases. "Relative" divides by the time of the ' +
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
      lines.push(
        `| ${group} | ${name} | ${integer(result.ns)} | ${integer(result.p99)} | ${relative} |`,
      )
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
