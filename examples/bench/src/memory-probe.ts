// Retained heap per session, measured apart from the HTTP suite: this script runs in a process
// of its own (with --expose-gc), sends new-session requests straight to one contender's
// application and reads the heap after full garbage collections, before and after. Over HTTP
// the same figure moves by hundreds of kilobytes with whatever the JIT and the sockets hold at
// that moment; here only the sessions change. Prints one line of JSON.
import { MemoryStore } from '@fetch-session/core'
import {
  benchSessions,
  fetchSessionHono,
  fetchSessionWrap,
  honoSessions,
  honoSessionsStore,
} from './apps.ts'
import type { Handler } from './apps.ts'
import { nodeCrypto } from './crypto-provider.ts'
import { COUNTER_PATH } from './server-control.ts'

/** What the probe prints. */
export interface IsolatedMemory {
  /** Sessions held before and after the measured requests. */
  heldBefore: number
  heldAfter: number
  /** Retained heap growth divided by the growth in sessions held, in bytes. */
  bytesPerSession: number
}

// Sessions created to warm the code up (on a first instance), then on a fresh instance before
// and while measuring (arguments 2 and 3). By default 50 + 9,900 stays under MemoryStore's
// default bound of 10,000, so the store ends nearly full, as a busy server's is, and no session
// has been dropped.
const BATCH = 50
const WARM = Number(process.argv[3] ?? 2_000)
const MEASURED = Number(process.argv[4] ?? 9_900)

const gc = (globalThis as { gc?: () => void }).gc
if (gc === undefined) throw new Error('run with --expose-gc')

function build(name: string): { handler: Handler; held: () => number } {
  if (name === 'hs-memory') {
    const store = honoSessionsStore('memory')
    return { handler: honoSessions(store), held: () => store.size() ?? 0 }
  }
  const store = new MemoryStore()
  const crypto = name === 'fs-memory-node' ? nodeCrypto : null
  if (name === 'fs-wrap')
    return { handler: fetchSessionWrap(benchSessions(store)), held: () => store.size }
  if (name === 'fs-memory' || name === 'fs-memory-node') {
    return { handler: fetchSessionHono(benchSessions(store, crypto)), held: () => store.size }
  }
  throw new Error(`no isolated memory probe for ${name}`)
}

async function newSessions(handler: Handler, count: number): Promise<void> {
  for (let sent = 0; sent < count; sent += BATCH) {
    const batch: Promise<unknown>[] = []
    for (let i = 0; i < Math.min(BATCH, count - sent); i++) {
      batch.push(Promise.resolve(handler(new Request('http://127.0.0.1' + COUNTER_PATH))))
    }
    await Promise.all(batch)
  }
}

function heap(): number {
  gc!()
  gc!()
  return process.memoryUsage().heapUsed
}

const name = process.argv[2] ?? 'fs-memory'
// Warm the code on a first instance, then measure a fresh one from (almost) empty.
await newSessions(build(name).handler, WARM)
const { handler, held } = build(name)
await newSessions(handler, BATCH)
const heldBefore = held()
const before = heap()
await newSessions(handler, MEASURED)
const after = heap()
const heldAfter = held()
const result: IsolatedMemory = {
  heldBefore,
  heldAfter,
  bytesPerSession: (after - before) / (heldAfter - heldBefore),
}
process.stdout.write(JSON.stringify(result) + '\n')
