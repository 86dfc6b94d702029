// The floor experiments on @hono/node-server: a hand-written minimal session over a Map
// (src/minimal-session.ts), or with STORE=cookie one sealed in its cookie
// (src/minimal-cookie-session.ts).
import { serve } from '@hono/node-server'
import { minimalCookieSession } from '../minimal-cookie-session.ts'
import { minimalSession } from '../minimal-session.ts'
import { announce, port } from '../server-control.ts'

const { fetch, size } =
  process.env['STORE'] === 'cookie'
    ? { fetch: minimalCookieSession(), size: () => null }
    : minimalSession()
const server = serve({ fetch, port: port(), hostname: '127.0.0.1' }, () =>
  announce(server.address(), { sessions: size }),
)
