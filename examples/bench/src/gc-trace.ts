// What the garbage collector does while a server answers over HTTP: `node --conditions=source
// --import tsx src/gc-trace.ts <contender> [existing|new|untouched] [seconds] [<checkout>…]`.
// The contender's server runs with `--trace-gc`, from this checkout and from each other
// installed checkout given (an older commit's, say), in turn, for two rounds. After a second of
// warm-up, the collections of the measured run are counted: scavenges with their mean pause and
// the heap they left (a heap that grows from one scavenge to the next is promoting objects),
// mark-compacts with their pauses and incremental steps; beside them, the server's CPU time per
// request, and the kernel's part of it.
import { join, resolve } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { LoadClient, ServerProcess, placement } from './child-processes.ts'
import { contenders } from './contenders.ts'
import { scenarioLoad } from './scenario-load.ts'

const [name = 'fs-memory', scenario = 'existing', seconds = '3', ...checkouts] =
  process.argv.slice(2)
const contender = contenders.find((candidate) => candidate.name === name)
if (contender === undefined) throw new Error(`unknown contender ${name}`)
if (contender.database !== undefined || contender.directory === true) {
  throw new Error(`${name} needs a database or a directory, which this script does not start`)
}
if (!['existing', 'new', 'untouched'].includes(scenario)) throw new Error(`unknown ${scenario}`)

// One collection as `--trace-gc` prints it, such as "Scavenge 34.5 (54.9) -> 21.5 (54.9) MB,
// 0.49 / 0.00 ms" or "Mark-Compact 38.8 (70.7) -> 19.6 (65.0) MB, 7.65 / 0.02 ms  (+ 16.8 ms in
// 12 steps since start of marking…".
const LINE =
  /: (Scavenge|Mark-Compact)\b[^\d]*[\d.]+ \([\d.]+\) -> ([\d.]+) \([\d.]+\) MB, ([\d.]+) \/ [\d.]+ ms(?:\s+\(\+ ([\d.]+) ms in)?/

interface Collection {
  kind: string
  heapAfter: number
  pauseMs: number
}

const servers = [
  { label: 'this checkout', file: contender.file },
  ...checkouts.map((directory) => ({
    label: directory,
    file: join(resolve(directory), 'examples', 'bench', 'src', 'servers', contender.file),
  })),
]
const where = placement()
const client = await LoadClient.start(where.client)
try {
  for (let round = 1; round <= 2; round++) {
    for (const { label, file } of servers)
      console.log(`${label}, round ${round}: ${await measure(file)}`)
  }
} finally {
  await client.stop()
}

async function measure(file: string): Promise<string> {
  const collections: Collection[] = []
  let pending = ''
  const server = await ServerProcess.start(
    { ...contender!, file },
    where.server,
    {},
    ['--trace-gc'],
    (text) => {
      const lines = (pending + text).split('\n')
      pending = lines.pop()!
      for (const line of lines) {
        const match = LINE.exec(line)
        if (match === null) continue
        // A mark-compact's incremental steps ran on the main thread before its final pause.
        const pauseMs = Number(match[3]) + Number(match[4] ?? 0)
        collections.push({ kind: match[1]!, heapAfter: Number(match[2]), pauseMs })
      }
    },
  )
  try {
    const load = await scenarioLoad(server, client, scenario)
    await load(1)
    await sleep(100)
    const from = collections.length
    const cpu = await server.cpu()
    const kernel = await server.kernelCpu()
    const result = await load(Number(seconds))
    const used = (await server.cpu()) - cpu
    const kernelAfter = await server.kernelCpu()
    const inKernel =
      kernel === null || kernelAfter === null
        ? ''
        : ` (${((kernelAfter - kernel) / result.requests).toFixed(1)} in the kernel)`
    // What the server printed during the run may still be on its way.
    await sleep(200)
    const run = collections.slice(from)
    const scavenges = run.filter((collection) => collection.kind === 'Scavenge')
    const majors = run.filter((collection) => collection.kind === 'Mark-Compact')
    const pauses = (list: Collection[]) => list.reduce((sum, { pauseMs }) => sum + pauseMs, 0)
    const mean = scavenges.length === 0 ? 0 : pauses(scavenges) / scavenges.length
    const heaps = scavenges.map(({ heapAfter }) => heapAfter.toFixed(1))
    return (
      `${Math.round(result.rps)} req/s, ${(used / result.requests).toFixed(1)} µs CPU/req` +
      `${inKernel}; ` +
      `${scavenges.length} scavenges (mean ${mean.toFixed(2)} ms; heap after the first and ` +
      `last ${heaps[0] ?? '–'} and ${heaps.at(-1) ?? '–'} MB), ${majors.length} mark-compacts ` +
      `(${pauses(majors).toFixed(1)} ms); all pauses ` +
      `${((1000 * pauses(run)) / result.requests).toFixed(2)} µs/req`
    )
  } finally {
    await server.stop()
  }
}
