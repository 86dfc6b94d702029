// A plain fetch handler, wrapped with `sessions.wrap`, served on node:http by @fetch-session/node.
import { MemoryStore, createSessions } from '@fetch-session/core'
import { serve } from '@fetch-session/node'
import { COUNTER_PATH, SECRET, UNTOUCHED_PATH, announce, port } from '../server-control.ts'

const store = new MemoryStore()
const sessions = createSessions<{ count: number }>({ secrets: SECRET, store })

const handler = sessions.wrap(async (request) => {
  const { pathname } = new URL(request.url)
  if (pathname === UNTOUCHED_PATH) return new Response('ok')
  if (pathname !== COUNTER_PATH) return new Response('Not Found', { status: 404 })
  const session = await sessions.load(request)
  const count = (session.get('count') ?? 0) + 1
  session.set('count', count)
  return new Response(String(count))
})

const server = await serve(handler, { port: port(), hostname: '127.0.0.1' })
announce(server.address(), { sessions: () => store.size })
