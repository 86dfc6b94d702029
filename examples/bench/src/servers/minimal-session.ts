// The floor experiment (src/minimal-session.ts) on @hono/node-server.
import { serve } from '@hono/node-server'
import { minimalSession } from '../minimal-session.ts'
import { announce, port } from '../server-control.ts'

const { fetch, size } = minimalSession()
const server = serve({ fetch, port: port(), hostname: '127.0.0.1' }, () =>
  announce(server.address(), { sessions: size }),
)
