// The contract every SessionStore keeps, run against each store (memory, file, KV…) instead of
// a copy of these tests per store.
import { describe, expect, it } from 'vitest'
import type { SessionStore } from '../session-store.ts'
import { generateSessionId } from '../session-id.ts'

export interface ConformanceOptions {
  /** How long past `expiresAt` a record may still be returned, in ms. Default 0. */
  expiryGrace?: number
}

/**
 * Defines the store contract tests.
 * @param label names the store in the report
 * @param makeStore returns a store; called once per test (it may return the same one)
 */
export function storeConformance(
  label: string,
  makeStore: () => SessionStore | Promise<SessionStore>,
  options: ConformanceOptions = {},
): void {
  const grace = options.expiryGrace ?? 0
  const later = () => Date.now() + 60 * 60 * 1000

  describe(`SessionStore conformance (${label})`, () => {
    it('returns nothing for an id it never saw', async () => {
      const store = await makeStore()
      expect(await store.get(generateSessionId())).toBeFalsy()
    })

    it('returns exactly the string it was given', async () => {
      const store = await makeStore()
      const id = generateSessionId()
      const record = JSON.stringify({
        d: { name: 'Zoë 🛒', quote: '"\\\n', big: 'x'.repeat(20_000) },
      })
      await store.set(id, record, later())
      expect(await store.get(id)).toBe(record)
    })

    it('replaces a record on set and keeps ids apart', async () => {
      const store = await makeStore()
      const [a, b] = [generateSessionId(), generateSessionId()]
      await store.set(a, 'one', later())
      await store.set(b, 'other', later())
      await store.set(a, 'two', later())
      expect(await store.get(a)).toBe('two')
      expect(await store.get(b)).toBe('other')
    })

    it('deletes a record, and deleting an absent one is not an error', async () => {
      const store = await makeStore()
      const id = generateSessionId()
      await store.set(id, 'gone soon', later())
      await store.delete(id)
      expect(await store.get(id)).toBeFalsy()
      await expect(store.delete(id)).resolves.toBeUndefined()
      await expect(store.delete(generateSessionId())).resolves.toBeUndefined()
    })

    it(
      'does not return a record after its expiry time',
      async () => {
        const store = await makeStore()
        const id = generateSessionId()
        await store.set(id, 'short-lived', Date.now() + 800)
        expect(await store.get(id)).toBe('short-lived')
        await new Promise((resolve) => setTimeout(resolve, 1000 + grace))
        expect(await store.get(id)).toBeFalsy()
      },
      10_000 + grace,
    )

    it('does not keep a record whose expiry time has passed already', async () => {
      const store = await makeStore()
      const id = generateSessionId()
      await store.set(id, 'dead on arrival', Date.now() - 1000)
      expect(await store.get(id)).toBeFalsy()
    })

    it('ends concurrent writes to one id with one whole record', async () => {
      const store = await makeStore()
      const id = generateSessionId()
      const records = Array.from({ length: 20 }, (_, i) => `${i}:` + String(i).repeat(5000))
      await Promise.all(records.map((record) => store.set(id, record, later())))
      expect(records).toContain(await store.get(id))
    })
  })
}
