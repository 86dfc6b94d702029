// The HTTP suite: every contender's server in a process of its own, loaded by autocannon from
// another process, round after round. Each run of a contender is paired with a run of the
// ceiling right beside it (before it in even rounds, after it in odd ones), and every ratio is
// taken within its pair: the machine's slower and faster moments, which move a run by tens of
// percent when other work shares the cores, then move both halves of a pair alike. A second
// bare Hono server, the control, is paired the same way: its ratios, 1.00 but for noise, show
// how far apart two runs of identical code land.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  LoadClient,
  ServerProcess,
  isolatedMemory,
  placement,
  unpinned,
} from './child-processes.ts'
import type { MemoryProbe } from './child-processes.ts'
import type { Contender } from './contenders.ts'
import { missing, startDatabase } from './databases.ts'
import type { Database, DatabaseServer } from './databases.ts'
import type { LoadResult } from './load-client.ts'
import type { IsolatedMemory } from './memory-probe.ts'
import { COUNTER_PATH, UNTOUCHED_PATH } from './server-control.ts'

/** How long and how hard to load the servers. */
export interface HttpSettings {
  /** Rounds; each runs every scenario once on every contender. */
  rounds: number
  /** Concurrent connections (browsers). */
  connections: number
  /** Seconds of load per run of the time-bounded scenarios. */
  seconds: number
  /**
   * Responses per run of those scenarios instead, with `seconds` as the most a run may take:
   * the smoke mode counts requests, since on a loaded machine a slow contender may not answer
   * even once in a fraction of a second.
   */
  amount?: number
  /** Requests of the new-session scenario, over all rounds. */
  newSessions: number
  /** The most seconds a run of the new-session scenario may take. */
  newSecondsLimit: number
  /** Seconds of warm-up load per contender and scenario before the first round. */
  warmSeconds: number
  /** Seconds of unmeasured load on a contender right before each of its pairs; 0 for none. */
  pairWarmSeconds: number
  /** Requests of new-session warm-up per contender. */
  warmNewSessions: number
  /** New sessions created, apart from HTTP, to measure the retained heap per session. */
  isolatedSessions: number
  /** Pin servers and the load client to cores of their own where possible. Default: true. */
  pin?: boolean
}

/** The scenarios, in the order each round runs them. */
export const scenarios = ['existing', 'untouched', 'new'] as const
export type Scenario = (typeof scenarios)[number]

/** What a contender answered to a few plain requests before any load. */
export interface Check {
  /** Counter values read by sending no cookie, then resending the cookie twice. */
  counter: number[]
  /** Statuses of those requests and of one to the untouched route. */
  statuses: number[]
  /** Whether the first response set a cookie. */
  setCookie: boolean
  /** Whether the untouched route, requested with the session cookie, set a cookie. */
  untouchedSetCookie: boolean
}

/** One run, without the per-connection details. */
export interface Run extends Omit<LoadResult, 'connections'> {
  round: number
  /** For a run of the ceiling: the contender it was paired with. */
  partner?: string
  /** The server's CPU time per response, in microseconds (all its threads). */
  serverCpuUs: number
  /** Responses whose counter did not go up by one (existing) or was not 1 (new). */
  counterErrors: number
}

/** The new-session scenario's memory, before its first run and after its last. */
export interface MemoryReport {
  before: MemoryProbe
  after: MemoryProbe
}

/** Everything the suite measured. */
export interface HttpReport {
  settings: HttpSettings
  placement: string
  contenders: Contender[]
  checks: Record<string, Check>
  runs: Record<Scenario, Record<string, Run[]>>
  memory: Record<string, MemoryReport>
  /** Contenders left out, with the reason (a database server that is not installed). */
  skipped: { name: string; label: string; reason: string }[]
  /** Retained heap per session measured apart, by contender (those with a server-side store). */
  isolated: Record<string, IsolatedMemory>
}

/** The contenders whose retained heap per session is also measured apart. */
export const ISOLATED_MEMORY = ['fs-memory', 'fs-memory-node', 'fs-wrap', 'hs-memory']

/**
 * Runs the HTTP suite.
 * @param contenders the servers to compare; the first is the ceiling
 * @param settings durations and sizes
 * @param log progress lines
 */
export async function runHttpSuite(
  contenders: Contender[],
  settings: HttpSettings,
  log: (line: string) => void,
): Promise<HttpReport> {
  // The smoke mode measures nothing worth pinning for, and starts its servers on both cores.
  const where = settings.pin === false ? unpinned() : placement()
  const directory = await mkdtemp(join(tmpdir(), 'fetch-session-bench-'))
  const servers: ServerProcess[] = []
  const databases = new Map<Database, DatabaseServer>()
  const skipped: HttpReport['skipped'] = []
  let client: LoadClient | undefined
  try {
    // The database servers first, each once, shared by fetch-session and the peer that uses it.
    const needed = new Set(contenders.flatMap((contender) => contender.database ?? []))
    for (const database of needed) {
      const reason = missing(database)
      const required = process.env[`FETCH_SESSION_REQUIRE_${database.toUpperCase()}`]
      if (reason !== null && !['', '0', undefined].includes(required)) {
        throw new Error(`FETCH_SESSION_REQUIRE_${database.toUpperCase()} is set but ${reason}`)
      }
      if (reason !== null) {
        for (const contender of contenders.filter((c) => c.database === database)) {
          skipped.push({ name: contender.name, label: contender.label, reason })
        }
        log(`skipping the ${database} contenders: ${reason}`)
        continue
      }
      databases.set(database, await startDatabase(database, where.server))
    }
    const running = contenders.filter((c) => !skipped.some((s) => s.name === c.name))
    log(`starting ${running.length} servers and the load client (${where.description})`)
    // Each Redis contender gets a logical database of its own, so that DBSIZE counts its keys.
    let redisDatabase = 0
    const started = await Promise.allSettled([
      LoadClient.start(where.client),
      ...running.map((contender) => {
        const env: Record<string, string> = {}
        if (contender.directory === true) env['DIRECTORY'] = join(directory, contender.name)
        if (contender.database === 'redis') {
          env['REDIS_URL'] = `${databases.get('redis')!.url}/${++redisDatabase}`
        }
        if (contender.database === 'postgres') env['DATABASE_URL'] = databases.get('postgres')!.url
        return ServerProcess.start(contender, where.server, env)
      }),
    ])
    for (const outcome of started.slice(1)) {
      if (outcome.status === 'fulfilled') servers.push(outcome.value as ServerProcess)
    }
    if (started[0]!.status === 'fulfilled') client = started[0].value as LoadClient
    const failed = started.find((outcome) => outcome.status === 'rejected')
    if (failed !== undefined) throw (failed as PromiseRejectedResult).reason
    const report = await measure(client!, servers, settings, where.description, log)
    report.skipped = skipped
    await Promise.all([client?.stop(), ...servers.map((server) => server.stop())])
    for (const contender of running) {
      if (!ISOLATED_MEMORY.includes(contender.name)) continue
      report.isolated[contender.name] = await isolatedMemory(
        contender.name,
        where.server,
        // Warmed with at least 1,000 sessions even in quick mode: code the JIT frees while the
        // first ones are measured could otherwise outweigh what a few sessions retain.
        Math.max(settings.warmNewSessions, 1_000),
        settings.isolatedSessions,
      )
      log(
        `retained per session, measured apart: ${contender.name} ` +
          `${Math.round(report.isolated[contender.name]!.bytesPerSession)} B`,
      )
    }
    return report
  } finally {
    await Promise.all([client?.stop(), ...servers.map((server) => server.stop())])
    await Promise.all([...databases.values()].map((database) => database.stop()))
    await rm(directory, { recursive: true, force: true })
  }
}

async function measure(
  client: LoadClient,
  servers: ServerProcess[],
  settings: HttpSettings,
  description: string,
  log: (line: string) => void,
): Promise<HttpReport> {
  const report: HttpReport = {
    settings,
    placement: description,
    contenders: servers.map((server) => server.contender),
    checks: {},
    runs: { existing: {}, untouched: {}, new: {} },
    memory: {},
    isolated: {},
    skipped: [],
  }
  // One browser per connection, each with a session of its own, kept from run to run.
  const cookies = new Map<string, (string | null)[]>()
  for (const server of servers) {
    const name = server.contender.name
    report.checks[name] = await check(server)
    const jar: (string | null)[] = []
    for (let i = 0; i < settings.connections; i++) jar.push(await newSession(server))
    cookies.set(name, jar)
    for (const scenario of scenarios) report.runs[scenario][name] = []
  }

  // The smoke mode skips the warm-up (both settings 0): it checks that runs work, not how fast.
  if (settings.warmSeconds > 0) log('warming up')
  for (const server of settings.warmSeconds > 0 ? servers : []) {
    const name = server.contender.name
    for (const path of [COUNTER_PATH, UNTOUCHED_PATH]) {
      const result = await client.run({
        url: server.origin + path,
        connections: settings.connections,
        seconds: settings.warmSeconds,
        cookies: cookies.get(name)!,
        keep: true,
      })
      if (path === COUNTER_PATH) cookies.set(name, finalCookies(result))
    }
    await client.run({
      url: server.origin + COUNTER_PATH,
      connections: settings.connections,
      seconds: settings.newSecondsLimit,
      amount: settings.warmNewSessions,
      cookies: [],
      keep: false,
    })
  }

  const [ceiling, ...others] = servers
  const before = new Map<string, MemoryProbe>()
  const perRun = Math.ceil(settings.newSessions / settings.rounds)
  // One run of one server; the ceiling's new-session runs are time-bounded like the others'.
  const runOne = async (
    server: ServerProcess,
    scenario: Scenario,
    round: number,
    partner?: string,
  ) => {
    const contender = server.contender
    const name = contender.name
    const counted = scenario === 'new' && contender.sessions
    if (counted && round === 0) before.set(name, await server.memory())
    const cpuBefore = await server.cpu()
    const result = await client.run({
      url: server.origin + (scenario === 'untouched' ? UNTOUCHED_PATH : COUNTER_PATH),
      connections: settings.connections,
      seconds: counted ? settings.newSecondsLimit : settings.seconds,
      ...(counted
        ? { amount: perRun }
        : settings.amount !== undefined
          ? { amount: settings.amount }
          : {}),
      cookies: scenario === 'new' ? [] : cookies.get(name)!,
      keep: scenario !== 'new',
    })
    const serverCpu = (await server.cpu()) - cpuBefore
    if (scenario !== 'new') cookies.set(name, finalCookies(result))
    if (counted && round === settings.rounds - 1) {
      report.memory[name] = { before: before.get(name)!, after: await server.memory() }
    }
    const run = summarize(round, scenario, contender, result, serverCpu)
    if (partner !== undefined) run.partner = partner
    report.runs[scenario][name]!.push(run)
    log(
      `round ${round + 1}/${settings.rounds} ${scenario.padEnd(9)} ${name.padEnd(14)} ` +
        `${Math.round(run.rps).toString().padStart(6)} req/s  p99 ${run.p99Ms} ms  ` +
        `server ${Math.round(run.serverCpuUs)} µs/req  client ${Math.round(100 * run.clientCpu)}%` +
        (run.errors + run.counterErrors > 0
          ? `  (${run.errors} errors, ${run.counterErrors} counter errors)`
          : ''),
    )
  }
  // An unmeasured run of a contender right before its pair, so that a contender idle through
  // the others' runs is measured as warm as the ceiling, which runs beside every one of them. (It
  // did not remove what the control shows in a full run: see findings.md.) A new-session pair is
  // warmed on the contender's existing sessions, so that it adds no sessions to those counted.
  const warmOne = async (server: ServerProcess, scenario: Scenario) => {
    if (settings.pairWarmSeconds === 0) return
    const name = server.contender.name
    const result = await client.run({
      url: server.origin + (scenario === 'untouched' ? UNTOUCHED_PATH : COUNTER_PATH),
      connections: settings.connections,
      seconds: settings.pairWarmSeconds,
      cookies: cookies.get(name)!,
      keep: true,
    })
    cookies.set(name, finalCookies(result))
  }
  for (let round = 0; round < settings.rounds; round++) {
    // Alternating order: forward in even rounds, backward in odd ones; within a pair, the
    // ceiling first in even rounds and second in odd ones.
    const order = round % 2 === 0 ? others : [...others].reverse()
    for (const scenario of scenarios) {
      for (const server of order) {
        const name = server.contender.name
        await warmOne(server, scenario)
        if (round % 2 === 0) await runOne(ceiling!, scenario, round, name)
        await runOne(server, scenario, round)
        if (round % 2 === 1) await runOne(ceiling!, scenario, round, name)
      }
    }
  }
  return report
}

function summarize(
  round: number,
  scenario: Scenario,
  contender: Contender,
  result: LoadResult,
  serverCpu: number,
): Run {
  let counterErrors = 0
  if (contender.sessions && scenario === 'existing') {
    for (const connection of result.connections) counterErrors += connection.jumps
  }
  if (contender.sessions && scenario === 'new') {
    // Every response is a new session's first write: the counter reads 1.
    for (const connection of result.connections)
      counterErrors += connection.responses - connection.ones
  }
  return {
    round,
    requests: result.requests,
    seconds: result.seconds,
    rps: result.rps,
    p50Ms: result.p50Ms,
    p99Ms: result.p99Ms,
    errors: result.errors,
    setCookies: result.setCookies,
    clientCpu: result.clientCpu,
    serverCpuUs: result.requests > 0 ? serverCpu / result.requests : 0,
    counterErrors,
  }
}

function finalCookies(result: LoadResult): (string | null)[] {
  return result.connections.map((connection) => connection.cookie)
}

// The `name=value` pair of each Set-Cookie, in order.
function setCookiePairs(response: Response): string[] {
  return response.headers.getSetCookie().map((header) => header.split(';', 1)[0]!.trim())
}

async function newSession(server: ServerProcess): Promise<string | null> {
  const response = await fetch(server.origin + COUNTER_PATH)
  await response.text()
  return setCookiePairs(response).at(-1) ?? null
}

async function check(server: ServerProcess): Promise<Check> {
  const counter: number[] = []
  const statuses: number[] = []
  let cookie: string | null = null
  let setCookie = false
  for (let i = 0; i < 3; i++) {
    const response: Response = await fetch(server.origin + COUNTER_PATH, {
      headers: cookie === null ? {} : { cookie },
    })
    statuses.push(response.status)
    counter.push(Number(await response.text()))
    const set: string | undefined = setCookiePairs(response).at(-1)
    if (i === 0) setCookie = set !== undefined
    if (set !== undefined) cookie = set
  }
  const untouched = await fetch(server.origin + UNTOUCHED_PATH, {
    headers: cookie === null ? {} : { cookie },
  })
  statuses.push(untouched.status)
  await untouched.text()
  return {
    counter,
    statuses,
    setCookie,
    untouchedSetCookie: untouched.headers.getSetCookie().length > 0,
  }
}
