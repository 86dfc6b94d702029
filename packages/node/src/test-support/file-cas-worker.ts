// A process of the compare-and-set test: adds 1 to the counter of one session of a FileStore,
// `times` times, each by a read-modify-write loop retried on conflict. It starts on the line
// `go` on stdin, so that all processes hammer the session together, and prints its conflicts.
import { once } from 'node:events'
import { FileStore } from '@fetch-session/node'

const [directory, id, times] = process.argv.slice(2)
if (directory === undefined || id === undefined || times === undefined) {
  throw new Error('usage: file-cas-worker <directory> <session id> <times>')
}
const store = new FileStore({ directory })
process.stdout.write('ready\n')
await once(process.stdin, 'data')

let conflicts = 0
for (let done = 0; done < Number(times);) {
  const current = await store.read(id)
  if (current === null) throw new Error('the session is gone')
  const { count } = JSON.parse(current.record) as { count: number }
  const write = {
    record: JSON.stringify({ count: count + 1 }),
    expiresAt: Date.now() + 60_000,
    userId: null,
  }
  if ((await store.write(id, write, current.version)) === null) conflicts++
  else done++
}
process.stdout.write(`conflicts ${conflicts}\n`)
