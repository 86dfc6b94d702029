// Bytes allocated per request, in process, by the function that allocated them: `node
// --conditions=source --import tsx src/allocations.ts [existing|new|untouched] [functions]`.
// Each application is served through the Node listener with no socket, as in the micro suite,
// while V8's sampling heap profiler records allocations, also those the young generation
// collects at once: what a request allocates is work for the collector that a timing in process
// mostly hides (findings.md). Prints each application's total and, for fetch-session's, the
// heaviest functions (default 12).
import { Session } from 'node:inspector/promises'
import { createListener } from '@fetch-session/node'
import { bareHono, benchSessions, fetchSessionHono, fetchSessionWrap } from './apps.ts'
import { nodeBrowser, nodeListener, send, setCookies } from './node-listener.ts'
import type { NodeListener } from './node-listener.ts'
import { COUNTER_PATH, UNTOUCHED_PATH } from './server-control.ts'

interface ProfileNode {
  callFrame: { functionName: string; url: string; lineNumber: number }
  selfSize: number
  children: ProfileNode[]
}

const [scenario = 'existing', shown = '12'] = process.argv.slice(2)
if (!['existing', 'new', 'untouched'].includes(scenario)) {
  throw new Error(`unknown scenario ${scenario}: existing, new or untouched`)
}
const WARM_UP = 100_000
const MEASURED = 50_000

const applications: [name: string, ours: boolean, listener: NodeListener][] = [
  ['bare Hono', false, nodeListener(bareHono())],
  ['bare Hono + an empty middleware', false, nodeListener(bareHono(true))],
  ['Hono + fetch-session, MemoryStore', true, nodeListener(fetchSessionHono(benchSessions()))],
  [
    '`sessions.wrap`, MemoryStore (`createListener`)',
    true,
    createListener(fetchSessionWrap(benchSessions())) as unknown as NodeListener,
  ],
]

const inspector = new Session()
inspector.connect()
for (const [name, ours, listener] of applications) {
  const cookie =
    scenario === 'new'
      ? null
      : (setCookies((await send(listener, COUNTER_PATH, null)).head).at(-1) ?? null)
  const request = nodeBrowser(
    listener,
    scenario === 'untouched' ? UNTOUCHED_PATH : COUNTER_PATH,
    cookie,
  )
  for (let i = 0; i < WARM_UP; i++) await request()
  await inspector.post('HeapProfiler.startSampling', {
    samplingInterval: 128,
    includeObjectsCollectedByMinorGC: true,
    includeObjectsCollectedByMajorGC: true,
  })
  for (let i = 0; i < MEASURED; i++) await request()
  const { profile } = (await inspector.post('HeapProfiler.stopSampling')) as unknown as {
    profile: { head: ProfileNode }
  }
  const byFunction = new Map<string, number>()
  let total = 0
  const visit = (node: ProfileNode) => {
    const { functionName, url, lineNumber } = node.callFrame
    const where =
      url === ''
        ? ''
        : ` ${url.replace(/^.*\/(node_modules|packages|examples)\//, '')}:${lineNumber + 1}`
    const key = `${functionName || '(anonymous)'}${where}`
    total += node.selfSize
    byFunction.set(key, (byFunction.get(key) ?? 0) + node.selfSize)
    for (const child of node.children) visit(child)
  }
  visit(profile.head)
  console.log(`${name}, ${scenario}: ${Math.round(total / MEASURED)} bytes per request`)
  if (!ours) continue
  const heaviest = [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, Number(shown))
  for (const [key, bytes] of heaviest) {
    console.log(`${String(Math.round(bytes / MEASURED)).padStart(8)}  ${key}`)
  }
}
inspector.disconnect()
