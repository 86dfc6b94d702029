// Before and after in one process: `node --conditions=source --import tsx src/checkouts.ts
// [<checkout>…]` sends the same requests through this checkout's applications and through those
// of other installed checkouts of the repository (an older commit's, say), all served by this
// checkout's `@hono/node-server` listener with no socket, and prints the CPU time per request of
// each, interleaved batch by batch so that a busier moment of the machine is shared out. Besides
// the three scenarios, Hono + MemoryStore serves 15,000 browsers, each resending its cookie in
// turn.
import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import type * as Apps from './apps.ts'
import { interleavedCpuTable } from './interleaved-cpu.ts'
import { nodeBrowser, nodeListener, send, setCookies } from './node-listener.ts'
import { COUNTER_PATH, UNTOUCHED_PATH } from './server-control.ts'

const BATCH = 1000
const PASSES = 15
const BROWSERS = 15_000

interface Row {
  name: string
  call: () => Promise<void>
}

const rows: Row[] = []
const checkouts = [resolve('../..'), ...process.argv.slice(2).map((dir) => resolve(dir))]
for (const [index, root] of checkouts.entries()) {
  const where = index === 0 ? 'this checkout' : root
  // Each checkout's applications, with its own core and adapters (resolved from where they are).
  const url = pathToFileURL(`${root}/examples/bench/src/apps.ts`).href
  const apps = (await import(url)) as typeof Apps
  const handlers: [string, Apps.Handler][] = [
    ['bare Hono', apps.bareHono()],
    ['Hono + MemoryStore', apps.fetchSessionHono(apps.benchSessions())],
    ['sessions.wrap + MemoryStore', apps.fetchSessionWrap(apps.benchSessions())],
  ]
  for (const [name, handler] of handlers) {
    const listener = nodeListener(handler)
    const first = await send(listener, COUNTER_PATH, null)
    const cookie = setCookies(first.head).at(-1) ?? null
    for (const [scenario, path, jar] of [
      ['existing', COUNTER_PATH, cookie],
      ['new', COUNTER_PATH, null],
      ['untouched', UNTOUCHED_PATH, cookie],
    ] as const) {
      rows.push({
        name: `${where}: ${name}, ${scenario}`,
        call: nodeBrowser(listener, path, jar),
      })
    }
  }
  // More browsers than the core remembers verified cookies for (10,000), each resending its
  // cookie in turn: every request verifies its cookie again and evicts another.
  const core = (await import(
    pathToFileURL(`${root}/packages/core/src/index.ts`).href
  )) as typeof import('@fetch-session/core')
  const store = new core.MemoryStore({ maxSessions: 4 * BROWSERS })
  const listener = nodeListener(apps.fetchSessionHono(apps.benchSessions(store)))
  const cookies: (string | null)[] = []
  for (let i = 0; i < BROWSERS; i++) {
    cookies.push(setCookies((await send(listener, COUNTER_PATH, null)).head).at(-1) ?? null)
  }
  let turn = 0
  rows.push({
    name: `${where}: Hono + MemoryStore, ${BROWSERS.toLocaleString('en')} browsers in turn`,
    call: async () => {
      await send(listener, COUNTER_PATH, cookies[turn++ % BROWSERS]!)
    },
  })
}

console.log(await interleavedCpuTable('request', rows, BATCH, PASSES))
