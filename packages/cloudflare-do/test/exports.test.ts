// The public surface, and how the store fails: the export names as the bundled package shows
// them inside workerd (the package imports `cloudflare:workers`, which only workerd has), the
// types a Worker's bindings are checked against, and the errors of a misconfigured binding.
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest'
import type { Miniflare } from 'miniflare'
import type { DurableObjectNamespace } from '@cloudflare/workers-types'
import { generateSessionId } from '@fetch-session/core'
import type { VersionedSessionStore } from '@fetch-session/core'
import type {
  DurableObjectNamespaceLike,
  DurableObjectStore,
  SessionDurableObject,
} from '../src/index.ts'
import { remoteStore, send, startWorker } from './support/workerd.ts'

let mf: Miniflare

beforeAll(async () => {
  mf = await startWorker()
})

afterAll(async () => {
  await mf?.dispose()
})

describe('@fetch-session/cloudflare-do exports', () => {
  it('exports exactly the public API', async () => {
    expect(await (await send(mf, '/exports')).json()).toMatchInlineSnapshot(`
      [
        "DurableObjectStore",
        "SessionDurableObject",
      ]
    `)
  })

  it('accepts the namespace of SessionDurableObject as typed by @cloudflare/workers-types', () => {
    expectTypeOf<
      DurableObjectNamespace<SessionDurableObject>
    >().toExtend<DurableObjectNamespaceLike>()
    expectTypeOf<DurableObjectStore>().toExtend<Required<VersionedSessionStore>>()
    expectTypeOf<
      ConstructorParameters<typeof DurableObjectStore>[0]
    >().toEqualTypeOf<DurableObjectNamespaceLike>()
  })
})

describe('new DurableObjectStore()', () => {
  it('throws SessionConfigError for something that is not a namespace', async () => {
    const store = remoteStore(mf, 'NO_SUCH_BINDING')
    await expect(store.read(generateSessionId())).rejects.toMatchObject({
      name: 'SessionConfigError',
      message: expect.stringContaining('`idFromName` is not a function'),
      reported: { code: 'SESSION_CONFIG_INVALID' },
    })
  })

  it('rejects, without the session id in the error, over a namespace of another class', async () => {
    const store = remoteStore(mf, 'WRONG')
    const id = generateSessionId()
    const results = await Promise.allSettled([
      store.read(id),
      store.write(id, { record: 'x', expiresAt: Date.now() + 60_000, userId: null }, null),
      store.remove(id),
      store.listByUser('ada'),
    ])
    for (const result of results) {
      expect(result.status).toBe('rejected')
      const error = (result as PromiseRejectedResult).reason as Error
      expect(error).toBeInstanceOf(Error)
      expect(error.message).not.toContain(id)
    }
  })
})
