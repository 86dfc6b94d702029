// Profiles one contender under one scenario: `node --conditions=source --import tsx
// src/profile.ts <contender> <existing|untouched|new> [seconds]`. The server runs with
// `--cpu-prof`; the profile is written to profiles/ and its heaviest functions (self time) are
// printed. Open the .cpuprofile in Chrome DevTools (Performance) for the full picture.
import { mkdir, readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { LoadClient, PACKAGE_DIR, ServerProcess, placement } from './child-processes.ts'
import { contenders } from './contenders.ts'
import { nodeCrypto } from './crypto-provider.ts'
import { COUNTER_PATH, UNTOUCHED_PATH } from './server-control.ts'

interface ProfileNode {
  id: number
  callFrame: { functionName: string; url: string; lineNumber: number }
  hitCount?: number
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
const env = contender.directory === true ? { DIRECTORY: join(directory, 'file-store') } : {}
const server = await ServerProcess.start(contender, where.server, env, [
  '--cpu-prof',
  `--cpu-prof-dir=${directory}`,
  '--cpu-prof-interval=100',
])
const client = await LoadClient.start(where.client)
try {
  const connections = 10
  const cookies: (string | null)[] = []
  for (let i = 0; scenario !== 'new' && i < connections; i++) {
    const response = await fetch(server.origin + COUNTER_PATH)
    await response.text()
    cookies.push(response.headers.getSetCookie()[0]?.split(';', 1)[0] ?? null)
  }
  const result = await client.run({
    url: server.origin + (scenario === 'untouched' ? UNTOUCHED_PATH : COUNTER_PATH),
    connections,
    seconds: Number(seconds),
    cookies,
    keep: scenario !== 'new',
  })
  console.log(
    `${name} ${scenario}: ${Math.round(result.rps)} req/s, p99 ${result.p99Ms} ms, ` +
      `load client at ${Math.round(100 * result.clientCpu)}% of a core`,
  )
} finally {
  await client.stop()
  await server.stop()
}

const written = (await readdir(directory)).filter((file) => !before.has(file))
const file = written.find((entry) => entry.endsWith('.cpuprofile'))
if (file === undefined) throw new Error('no profile written')
const profile = JSON.parse(await readFile(join(directory, file), 'utf8')) as {
  nodes: ProfileNode[]
}
const total = profile.nodes.reduce((sum, node) => sum + (node.hitCount ?? 0), 0)
const byFunction = new Map<string, number>()
for (const node of profile.nodes) {
  const { functionName, url, lineNumber } = node.callFrame
  const where =
    url === ''
      ? ''
      : ` ${url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*\/(packages|examples)\//, '$1/')}:${lineNumber + 1}`
  const key = `${functionName || '(anonymous)'}${where}`
  byFunction.set(key, (byFunction.get(key) ?? 0) + (node.hitCount ?? 0))
}
console.log(`profile: ${join('profiles', file)}; self time by function:`)
for (const [key, hits] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, 30)) {
  console.log(`${((100 * hits) / total).toFixed(1).padStart(5)}%  ${key}`)
}
