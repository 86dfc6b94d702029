// What idling does to a server's cost per request: `node --conditions=source --import tsx
// src/idle-cost.ts [node flags…]`. Two bare Hono servers, as the bench starts them (with its
// flags, and these after them, such as `--memory-reducer` to turn V8's memory reducer back on),
// are measured side by side eight times; between two measurements one of them serves 15 s of
// load and the other idles, as the ceiling and any other contender do in a full `pnpm bench`.
// Prints the CPU time per request of each.
import { LoadClient, ServerProcess, placement } from './child-processes.ts'
import { contenders } from './contenders.ts'
import { COUNTER_PATH } from './server-control.ts'

const flags = process.argv.slice(2)
const hono = contenders.find((contender) => contender.name === 'hono')!
const where = placement()
const busy = await ServerProcess.start(hono, where.server, {}, flags)
const idle = await ServerProcess.start(hono, where.server, {}, flags)
const client = await LoadClient.start(where.client)
try {
  const measure = async (server: ServerProcess, seconds: number) => {
    const cpu = await server.cpu()
    const result = await client.run({
      url: server.origin + COUNTER_PATH,
      connections: 10,
      seconds,
      cookies: [],
      keep: true,
    })
    return ((await server.cpu()) - cpu) / result.requests
  }
  await measure(busy, 1)
  await measure(idle, 1)
  console.log(`flags: ${flags.join(' ') || 'the bench’s'}; CPU µs per request`)
  for (let pair = 1; pair <= 8; pair++) {
    await measure(busy, 15)
    const kept = await measure(busy, 2)
    const idled = await measure(idle, 2)
    console.log(`pair ${pair}: kept busy ${kept.toFixed(1)}, idled ${idled.toFixed(1)}`)
  }
} finally {
  await client.stop()
  await busy.stop()
  await idle.stop()
}
