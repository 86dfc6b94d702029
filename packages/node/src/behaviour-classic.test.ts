import { createServer } from 'node:http'
import type { Server } from 'node:http'
import { afterAll, beforeAll } from 'vitest'
import { behaviourSuite } from '@fetch-session/test-support'
import { createClassicExpressApp, createClassicListener } from './test-support/classic-app.ts'
import { close, listen } from './test-support/servers.ts'

// The stories through entry point 2: the behaviour routes as classic (req, res) handlers, with
// `withSession` on plain node:http and `sessionMiddleware` on Express.
const hosts = {
  'withSession() on plain node:http': () => createServer(createClassicListener()),
  'sessionMiddleware() on Express': () => createServer(createClassicExpressApp()),
}

for (const [label, create] of Object.entries(hosts)) {
  let server: Server
  let base: string
  beforeAll(async () => {
    server = create()
    base = await listen(server)
  })
  afterAll(() => close(server))
  behaviourSuite(label, () => ({ fetch: (path, init) => fetch(base + path, init) }))
}
