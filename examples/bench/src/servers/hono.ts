// The ceiling: bare Hono on @hono/node-server, the same routes without any session.
import { serve } from '@hono/node-server'
import { Hono } from 'hono'
import { COUNTER_PATH, UNTOUCHED_PATH, announce, port } from '../server-control.ts'

let count = 0
const app = new Hono()
app.get(COUNTER_PATH, (c) => c.text(String(++count)))
app.get(UNTOUCHED_PATH, (c) => c.text('ok'))

const server = serve({ fetch: app.fetch, port: port(), hostname: '127.0.0.1' }, () =>
  announce(server.address(), { sessions: () => null }),
)
