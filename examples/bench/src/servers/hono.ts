// The ceiling: bare Hono on @hono/node-server, the same routes without any session; with
// MIDDLEWARE=1, behind one middleware that only calls next(), which is what any middleware costs;
// with BUSY_US=<µs>, behind one that keeps the CPU busy that long (the busy experiment), and with
// BUSY_OBJECTS=<n> too, that first makes n small objects it holds through the request; with
// ASYNC_ROUTE=1, with no middleware but routes that are async functions.
import { serve } from '@hono/node-server'
import { bareHono } from '../apps.ts'
import { announce, port } from '../server-control.ts'

const server = serve(
  {
    fetch: bareHono(
      process.env['MIDDLEWARE'] === '1',
      Number(process.env['BUSY_US'] ?? 0),
      Number(process.env['BUSY_OBJECTS'] ?? 0),
      process.env['ASYNC_ROUTE'] === '1',
    ),
    port: port(),
    hostname: '127.0.0.1',
  },
  () => announce(server.address(), { sessions: () => null }),
)
