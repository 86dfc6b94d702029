// Profiles one contender under one scenario: `node --conditions=source --import tsx
// src/profile.ts <contender> <existing|untouched|new> [seconds]`. The server runs with
// `--cpu-prof`; the profile is written to profiles/ and its heaviest functions (self time) are
// printed. Open the .cpuprofile in Chrome DevTools (Performance) for the full picture.
import { mkdir, readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { LoadClient, PACKAGE_DIR, ServerProcess, placement } from './child-processes.ts'
import { contenders } from './contenders.ts'
import { startDatabase } from './databases.ts'
import { nodeCrypto } from './crypto-provider.ts'
import { scenarioLoad } from './scenario-load.ts'

interface ProfileNode {
  id: number
  callFrame: { functionName: string; url: string; lineNumber: number }
  children?: number[]
}

interface Profile {
  nodes: ProfileNode[]
  startTime: number
  endTime: number
  samples: number[]
  timeDeltas: number[]
}

const [name = 'fs-memory', scenario = 'existing', seconds = '5'] = process.argv.slice(2)
const base = contenders.find((contender) => contender.name === name.replace(/-node$/, ''))
if (base === undefined) throw new Error(`unknown contender ${name}`)
if (name.endsWith('-node') && nodeCrypto === null) throw new Error('no nodeCrypto')
const contender = name.endsWith('-node')
  ? { ...base, name, env: { ...base.env, CRYPTO: 'node' } }
  : base

const directory = join(PACKAGE_DIR, 'profiles')
await mkdir(directory, { recursive: true })
const before = new Set(await readdir(directory))
const where = placement()
const env: Record<string, string> =
  contender.directory === true ? { DIRECTORY: join(directory, 'file-store') } : {}
// A Redis or PostgreSQL contender gets a database server of its own, as in the HTTP suite.
const database =
  contender.database === undefined
    ? undefined
    : await startDatabase(contender.database, where.server)
if (contender.database === 'redis') env['REDIS_URL'] = `${database!.url}/1`
if (contender.database === 'postgres') env['DATABASE_URL'] = database!.url
const server = await ServerProcess.start(contender, where.server, env, [
  '--cpu-prof',
  `--cpu-prof-dir=${directory}`,
  '--cpu-prof-interval=100',
])
const client = await LoadClient.start(where.client)
try {
  const load = await scenarioLoad(server, client, scenario)
  // A second of warm-up, so that start-up and the JIT's first tiers stay out of the window.
  await load(1)
  const cpu = await server.cpu()
  const result = await load(Number(seconds))
  const used = (await server.cpu()) - cpu
  console.log(
    `${name} ${scenario}: ${Math.round(result.rps)} req/s, p99 ${result.p99Ms} ms, ` +
      `server ${(used / result.requests).toFixed(1)} µs/req (CPU), ` +
      `load client at ${Math.round(100 * result.clientCpu)}% of a core`,
  )
} finally {
  await client.stop()
  await server.stop()
  await database?.stop()
}

const written = (await readdir(directory)).filter((file) => !before.has(file))
const file = written.find((entry) => entry.endsWith('.cpuprofile'))
if (file === undefined) throw new Error('no profile written')
const profile = JSON.parse(await readFile(join(directory, file), 'utf8')) as Profile
// Only the samples of the measured run: the last `seconds` before the server stopped, less the
// moment it took to stop.
const until = profile.endTime - 300_000
const from = until - Number(seconds) * 1e6
const hits = new Map<number, number>()
let at = profile.startTime
for (let i = 0; i < profile.samples.length; i++) {
  at += profile.timeDeltas[i]!
  if (at < from || at > until) continue
  hits.set(profile.samples[i]!, (hits.get(profile.samples[i]!) ?? 0) + 1)
}
const byFunction = new Map<string, number>()
const byArea = new Map<string, number>()
let busy = 0
for (const node of profile.nodes) {
  const count = hits.get(node.id) ?? 0
  const { functionName, url, lineNumber } = node.callFrame
  if (count === 0 || functionName === '(idle)') continue
  busy += count
  const where =
    url === ''
      ? ''
      : ` ${url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*\/(packages|examples)\//, '$1/')}:${lineNumber + 1}`
  const key = `${functionName || '(anonymous)'}${where}`
  byFunction.set(key, (byFunction.get(key) ?? 0) + count)
  byArea.set(area(url, functionName), (byArea.get(area(url, functionName)) ?? 0) + count)
}
console.log(`profile: ${join('profiles', file)}; busy samples of the measured run, by area:`)
for (const [key, count] of [...byArea].sort((a, b) => b[1] - a[1])) {
  console.log(`${((100 * count) / busy).toFixed(1).padStart(5)}%  ${key}`)
}
console.log('self time by function:')
for (const [key, count] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, 40)) {
  console.log(`${((100 * count) / busy).toFixed(1).padStart(5)}%  ${key}`)
}

// Where a function lives, coarsely: fetch-session's packages, a dependency, or Node itself.
function area(url: string, functionName: string): string {
  const match = /\/packages\/([^/]+)\//.exec(url)
  if (match !== null && !url.includes('node_modules')) return `@fetch-session/${match[1]}`
  const dependency = /node_modules\/(@[^/]+\/[^/]+|[^/@][^/]*)\//.exec(url)
  if (dependency !== null) return dependency[1]!
  if (url.startsWith('node:')) return 'Node (JavaScript)'
  if (url === '') return functionName.startsWith('(') ? functionName : 'Node and V8 (native)'
  return 'other'
}
