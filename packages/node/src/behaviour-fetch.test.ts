import type { Server } from 'node:http'
import { afterAll, beforeAll } from 'vitest'
import * as core from '@fetch-session/core'
import { behaviourSuite, createBehaviourApp } from '@fetch-session/test-support'
import { serve } from './serve.ts'
import { baseUrl, close } from './test-support/servers.ts'

// The stories through entry point 1: the core's behaviour app, a fetch handler, served on
// node:http by `serve`, reached by a real HTTP client.
for (const kind of ['memory', 'cookie'] as const) {
  let server: Server
  let base: string
  beforeAll(async () => {
    server = await serve(createBehaviourApp(core, kind), { port: 0, hostname: '127.0.0.1' })
    base = baseUrl(server)
  })
  afterAll(() => close(server))
  behaviourSuite(`serve() on node:http, ${kind} store`, () => ({
    fetch: (path, init) => fetch(base + path, init),
    stateless: kind === 'cookie',
  }))
}
