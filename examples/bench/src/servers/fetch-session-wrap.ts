// A plain fetch handler, wrapped with `sessions.wrap`, served on node:http by @fetch-session/node.
import { MemoryStore } from '@fetch-session/core'
import { serve } from '@fetch-session/node'
import { benchSessions, fetchSessionWrap } from '../apps.ts'
import { announce, port } from '../server-control.ts'

const store = new MemoryStore()
const server = await serve(fetchSessionWrap(benchSessions(store)), {
  port: port(),
  hostname: '127.0.0.1',
})
announce(server.address(), { sessions: () => store.size })
