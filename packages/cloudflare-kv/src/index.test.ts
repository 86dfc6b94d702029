import { describe, expect, expectTypeOf, it } from 'vitest'
import type { KVNamespace } from '@cloudflare/workers-types'
import type { SessionStore } from '@fetch-session/core'
import * as api from './index.ts'
import type { KVNamespaceLike } from './index.ts'

describe('@fetch-session/cloudflare-kv exports', () => {
  it('exports exactly the public API', () => {
    expect(Object.keys(api).sort()).toMatchInlineSnapshot(`
      [
        "KVLimitError",
        "KVStore",
        "KV_LIMITS",
      ]
    `)
  })

  it('accepts a Workers KV binding as typed by @cloudflare/workers-types', () => {
    expectTypeOf<KVNamespace>().toExtend<KVNamespaceLike>()
    expectTypeOf<api.KVStore>().toExtend<SessionStore>()
    expectTypeOf<ConstructorParameters<typeof api.KVStore>[0]>().toEqualTypeOf<KVNamespaceLike>()
  })
})
