// One instance of an application behind a load balancer, run as a process of its own by
// multi-instance.test.ts: sessions in the Redis on REDIS_PORT, served by @fetch-session/node on
// a free port of 127.0.0.1, announced on stdout as `listening <url>`.
import { createSessions } from '@fetch-session/core'
import { serve } from '@fetch-session/node'
import { createClient } from 'redis'
import { RedisStore } from '../redis-store.ts'

const client = createClient({
  socket: { host: '127.0.0.1', port: Number(process.env['REDIS_PORT']) },
})
client.on('error', () => {})
await client.connect()

const instance = process.env['INSTANCE'] ?? '?'
const sessions = createSessions<{ count: number; note: string }>({
  secrets: [process.env['SESSION_SECRET']!],
  store: new RedisStore({ client }),
})

const handler = sessions.wrap(async (request) => {
  const url = new URL(request.url)
  const session = await sessions.load(request)
  const route = `${request.method} ${url.pathname}`
  if (route === 'POST /note') session.set('note', url.searchParams.get('text') ?? '')
  if (route === 'POST /increment') session.update('count', (count = 0) => count + 1)
  if (route === 'POST /login') session.login(url.searchParams.get('user')!)
  if (route === 'POST /logout') session.destroy()
  const ended = route === 'POST /end-everywhere' ? await sessions.endSessions(session.userId!) : 0
  return Response.json({
    instance,
    count: session.get('count') ?? 0,
    note: session.get('note') ?? null,
    user: session.userId,
    ended,
  })
})

const server = await serve(handler, { port: 0, hostname: '127.0.0.1' })
const address = server.address()
if (address === null || typeof address === 'string') throw new Error('no port')
console.log(`listening http://127.0.0.1:${address.port}`)

process.on('SIGTERM', () => {
  server.close()
  client.destroy()
})
