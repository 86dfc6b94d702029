// What a cold cache costs each application: `node --conditions=source --import tsx
// src/cold-cache.ts`. Bare Hono, bare Hono behind the busy middleware (13 µs of CPU, see
// findings.md) and Hono + fetch-session with MemoryStore (an existing session) are served in
// process through the Node listener, and each request is timed alone, first with warm caches,
// then with 4 MB of memory read before it, as the kernel's and the other connections' work
// does between two requests of one connection over HTTP. Prints the median of 5 batches of
// 4,000 requests, with the lowest and highest batch.
import { bareHono, benchSessions, fetchSessionHono } from './apps.ts'
import type { Handler } from './apps.ts'
import { nodeBrowser, nodeListener, send, setCookies } from './node-listener.ts'
import { COUNTER_PATH } from './server-control.ts'

const BATCHES = 5
const REQUESTS = 4000
const memory = new Float64Array(1 << 19)
let sum = 0
// One read per 64-byte cache line.
const evict = () => {
  for (let i = 0; i < memory.length; i += 8) sum += memory[i]!
}

const applications: [name: string, handler: Handler, cookie: boolean][] = [
  ['bare Hono', bareHono(), false],
  ['bare Hono, busy 13 µs', bareHono(false, 13), false],
  ['Hono + fetch-session, MemoryStore', fetchSessionHono(benchSessions()), true],
]
const browsers: [string, () => Promise<void>][] = []
for (const [name, handler, withCookie] of applications) {
  const listener = nodeListener(handler)
  const first = withCookie ? await send(listener, COUNTER_PATH, null) : null
  const cookie = first === null ? null : (setCookies(first.head).at(-1) ?? null)
  const browser = nodeBrowser(listener, COUNTER_PATH, cookie)
  for (let i = 0; i < 20_000; i++) await browser()
  browsers.push([name, browser])
}
for (const cold of [false, true]) {
  for (const [name, browser] of browsers) {
    const batches: number[] = []
    for (let batch = 0; batch < BATCHES; batch++) {
      let total = 0n
      for (let i = 0; i < REQUESTS; i++) {
        if (cold) evict()
        const start = process.hrtime.bigint()
        await browser()
        total += process.hrtime.bigint() - start
      }
      batches.push(Number(total) / REQUESTS / 1000)
    }
    batches.sort((a, b) => a - b)
    const [low, median, high] = [batches[0]!, batches[2]!, batches[4]!].map((µs) => µs.toFixed(1))
    console.log(`${cold ? 'cold' : 'warm'} caches, ${name}: ${median} µs (${low}–${high})`)
  }
}
// Used, so that the reads are not left out.
if (Number.isNaN(sum)) throw new Error('unreachable')
