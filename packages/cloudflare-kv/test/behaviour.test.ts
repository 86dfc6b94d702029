// The core's behaviour stories, played against the behaviour app running inside workerd with
// its sessions in a KVStore over a real KV namespace.
import { afterAll, beforeAll } from 'vitest'
import type { Miniflare } from 'miniflare'
import { behaviourSuite } from '@fetch-session/test-support'
import { send, startWorker } from './support/workerd.ts'

let mf: Miniflare

beforeAll(async () => {
  mf = await startWorker()
})

afterAll(async () => {
  await mf?.dispose()
})

behaviourSuite('workerd through miniflare, KVStore', () => ({
  fetch: (path, init) => send(mf, path, init),
}))
