import { mkdtemp, rm } from 'node:fs/promises'
import type { Server } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll } from 'vitest'
import * as core from '@fetch-session/core'
import { behaviourSuite, createBehaviourApp } from '@fetch-session/test-support'
import { FileStore } from './file-store.ts'
import { serve } from './serve.ts'
import { baseUrl, close } from './test-support/servers.ts'

// The stories with sessions on disk: the core's behaviour app keeping them in a FileStore,
// served on node:http.
let directory: string
let server: Server
let base: string
beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'fetch-session-behaviour-'))
  const app = createBehaviourApp(core, new FileStore({ directory }))
  server = await serve(app, { port: 0, hostname: '127.0.0.1' })
  base = baseUrl(server)
})
afterAll(async () => {
  await close(server)
  await rm(directory, { recursive: true, force: true })
})

behaviourSuite('serve() on node:http, FileStore', () => ({
  fetch: (path, init) => fetch(base + path, init),
}))
