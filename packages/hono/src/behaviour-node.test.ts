import type { AddressInfo } from 'node:net'
import { serve } from '@hono/node-server'
import type { ServerType } from '@hono/node-server'
import { afterAll, beforeAll } from 'vitest'
import { behaviourSuite } from '@fetch-session/test-support'
import { createHonoBehaviourApp } from './test-support/behaviour-app.ts'

// The core's stories through Hono on a real node:http server, reached over TCP with fetch().
for (const kind of ['memory', 'cookie'] as const) {
  let server: ServerType
  let origin = ''
  beforeAll(async () => {
    const app = createHonoBehaviourApp(kind)
    origin = await new Promise<string>((resolve) => {
      server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, (info: AddressInfo) =>
        resolve(`http://127.0.0.1:${info.port}`),
      )
    })
  })
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))
  behaviourSuite(`Hono on node:http, ${kind} store`, () => ({
    fetch: (path, init) => fetch(origin + path, init),
    stateless: kind === 'cookie',
  }))
}
