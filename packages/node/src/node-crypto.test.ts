import { describe, expect, it } from 'vitest'
import * as core from '@fetch-session/core'
import { cryptoConformance } from '@fetch-session/test-support'
import { nodeCrypto } from './node-crypto.ts'

cryptoConformance('nodeCrypto', nodeCrypto)

describe('nodeCrypto', () => {
  it('reads the cookies Web Crypto made, and the other way round', async () => {
    for (const store of [new core.MemoryStore(), new core.CookieStore()]) {
      const options = { secrets: 'a-secret-of-at-least-thirty-two-characters', store }
      const web = core.createSessions<{ n: number }>(options)
      const node = core.createSessions<{ n: number }>({ ...options, crypto: nodeCrypto })
      for (const [writer, reader] of [
        [web, node],
        [node, web],
      ] as const) {
        const first = new Request('http://localhost/')
        const session = await writer.load(first)
        session.set('n', 1)
        const cookie = (await writer.commit(session, new Response())).headers
          .get('set-cookie')!
          .split(';')[0]!
        const again = await reader.load(new Request('http://localhost/', { headers: { cookie } }))
        expect(again.isNew).toBe(false)
        expect(again.get('n')).toBe(1)
      }
    }
  })
})
