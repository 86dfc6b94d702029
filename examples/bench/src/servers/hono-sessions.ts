// Hono + hono-sessions on @hono/node-server, with its memory store or its cookie store
// (STORE=memory or STORE=cookie).
import { serve } from '@hono/node-server'
import { honoSessions, honoSessionsStore } from '../apps.ts'
import { announce, port } from '../server-control.ts'

const store = honoSessionsStore(process.env['STORE'] === 'cookie' ? 'cookie' : 'memory')
const server = serve({ fetch: honoSessions(store), port: port(), hostname: '127.0.0.1' }, () =>
  announce(server.address(), { sessions: store.size }),
)
