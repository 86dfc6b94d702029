// The store conformance suite of @fetch-session/testing, run in Node against the real
// DurableObjectStore inside workerd: each store call crosses to the test worker, which makes it
// on real Durable Objects, on both storage backends a class can have.
import { afterAll, beforeAll, describe } from 'vitest'
import type { Miniflare } from 'miniflare'
import { describeStore } from '@fetch-session/testing'
import { BACKENDS, remoteStore, startWorker } from './support/workerd.ts'
import type { Backend } from './support/workerd.ts'

describe.each(BACKENDS)('%s-backed objects', (backend: Backend) => {
  let mf: Miniflare

  beforeAll(async () => {
    mf = await startWorker(backend)
  })

  afterAll(async () => {
    await mf?.dispose()
  })

  describeStore(`DurableObjectStore, ${backend}`, () => remoteStore(mf), {
    versioned: true,
    userIndex: true,
  })
})
