// The version 2 store contract as PostgresStore keeps it, run once per kind of client.
import { generateSessionId } from '@fetch-session/core'
import type { SessionWrite } from '@fetch-session/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { PostgresStore } from '../postgres-store.ts'
import type { StoreFixture } from './clients.ts'

const hour = () => Date.now() + 60 * 60 * 1000
const live = (record: string, userId: string | null = null): SessionWrite => ({
  record,
  expiresAt: hour(),
  userId,
})
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * Defines the contract tests for one kind of client.
 * @param label names the client in the report
 * @param open makes the migrated store, once for the suite
 * @param skip skips the suite (no server on this machine)
 */
export function describeContract(
  label: string,
  open: () => Promise<StoreFixture>,
  skip = false,
): void {
  describe.skipIf(skip)(`PostgresStore over ${label}`, () => {
    let fixture: StoreFixture | undefined
    const store = (): PostgresStore => fixture!.store

    beforeAll(async () => {
      fixture = await open()
    }, 60_000)
    afterAll(async () => {
      await fixture?.close()
    })

    it('reads nothing for an id it never saw, and nothing for a string that is not an id', async () => {
      expect(await store().read(generateSessionId())).toBeNull()
      expect(await store().read("' OR 1=1 --")).toBeNull()
    })

    it('creates a record and reads back exactly the string with the version it returned', async () => {
      const id = generateSessionId()
      const record = JSON.stringify({ name: 'Zoë 🛒', quote: '"\\\n\'', big: 'x'.repeat(20_000) })
      const version = await store().write(id, live(record), null)
      expect(version).not.toBeNull()
      expect(await store().read(id)).toEqual({ record, version })
    })

    it('refuses to create over a live record, and keeps the one there', async () => {
      const id = generateSessionId()
      const first = await store().write(id, live('first'), null)
      expect(await store().write(id, live('second'), null)).toBeNull()
      expect(await store().read(id)).toEqual({ record: 'first', version: first })
    })

    it('creates over an expired row that no sweep has removed yet', async () => {
      const id = generateSessionId()
      const old = await store().write(
        id,
        { record: 'old', expiresAt: Date.now() - 1, userId: null },
        null,
      )
      expect(old).not.toBeNull()
      const fresh = await store().write(id, live('new'), null)
      expect(fresh).not.toBeNull()
      expect(fresh).not.toEqual(old)
      expect(await store().read(id)).toEqual({ record: 'new', version: fresh })
    })

    it('writes at the version read, giving a new version, and refuses a stale one', async () => {
      const id = generateSessionId()
      const v1 = await store().write(id, live('one'), null)
      const v2 = await store().write(id, live('two'), v1)
      expect(v2).not.toBeNull()
      expect(v2).not.toEqual(v1)
      expect(await store().write(id, live('stale'), v1)).toBeNull()
      expect(await store().read(id)).toEqual({ record: 'two', version: v2 })
      // The version as a string, as other clients might hand it back, is the same version.
      const v3 = await store().write(id, live('three'), String(v2))
      expect(await store().read(id)).toEqual({ record: 'three', version: v3 })
    })

    it('refuses a version it cannot have given without asking the database', async () => {
      const id = generateSessionId()
      await store().write(id, live('kept'), null)
      for (const version of ['1; DROP TABLE x', 1.5, Number.NaN, '']) {
        expect(await store().write(id, live('no'), version)).toBeNull()
        expect(await store().remove(id, version)).toBe(false)
      }
      expect((await store().read(id))?.record).toBe('kept')
    })

    it('refuses to write at any version once the record is removed', async () => {
      const id = generateSessionId()
      const version = await store().write(id, live('ended'), null)
      expect(await store().remove(id)).toBe(true)
      expect(await store().write(id, live('resurrected'), version)).toBeNull()
      expect(await store().read(id)).toBeNull()
    })

    it('a version from before a removal does not match a record created later under the id', async () => {
      const id = generateSessionId()
      const before = await store().write(id, live('before'), null)
      await store().remove(id)
      await store().write(id, live('after'), null)
      expect(await store().write(id, live('stale'), before)).toBeNull()
      expect((await store().read(id))?.record).toBe('after')
    })

    it('does not read a record whose expiry passed, nor write over it at its version', async () => {
      const id = generateSessionId()
      const version = await store().write(
        id,
        { record: 'brief', expiresAt: Date.now() + 500, userId: null },
        null,
      )
      expect((await store().read(id))?.record).toBe('brief')
      await sleep(700)
      expect(await store().read(id)).toBeNull()
      expect(await store().write(id, live('revived'), version)).toBeNull()
      expect(await store().read(id)).toBeNull()
    })

    it('removes a live record once, reporting whether it was there', async () => {
      const id = generateSessionId()
      await store().write(id, live('here'), null)
      expect(await store().remove(id)).toBe(true)
      expect(await store().read(id)).toBeNull()
      expect(await store().remove(id)).toBe(false)
      expect(await store().remove(generateSessionId())).toBe(false)
      expect(await store().remove('not an id')).toBe(false)
    })

    it('removes at an expected version only', async () => {
      const id = generateSessionId()
      const v1 = await store().write(id, live('one'), null)
      const v2 = await store().write(id, live('two'), v1)
      expect(await store().remove(id, v1!)).toBe(false)
      expect((await store().read(id))?.record).toBe('two')
      expect(await store().remove(id, v2!)).toBe(true)
      expect(await store().read(id)).toBeNull()
    })

    it('does not count an expired record as removed', async () => {
      const id = generateSessionId()
      await store().write(id, { record: 'dead', expiresAt: Date.now() - 1, userId: null }, null)
      expect(await store().remove(id)).toBe(false)
    })

    it('lists the live records of a user, and follows moves, removals and expiry', async () => {
      const [alice, bob] = [`alice-${generateSessionId()}`, `bob-${generateSessionId()}`]
      const [a1, a2, a3, b1] = [1, 2, 3, 4].map(() => generateSessionId()) as [
        string,
        string,
        string,
        string,
      ]
      const v1 = await store().write(a1, live('a1', alice), null)
      await store().write(a2, live('a2', alice), null)
      await store().write(a3, { record: 'a3', expiresAt: Date.now() - 1, userId: alice }, null)
      await store().write(b1, live('b1', bob), null)
      const listed = await store().listByUser(alice)
      expect(listed.map((s) => s.id).sort()).toEqual([a1, a2].sort())
      expect(listed.find((s) => s.id === a1)).toEqual({ id: a1, record: 'a1', version: v1 })

      // Rebinding a record moves it to the other user; removing one drops it from the index.
      await store().write(a1, live('a1 is bob now', bob), v1)
      await store().remove(a2)
      expect(await store().listByUser(alice)).toEqual([])
      expect((await store().listByUser(bob)).map((s) => s.record).sort()).toEqual([
        'a1 is bob now',
        'b1',
      ])
      expect(await store().listByUser(`nobody-${generateSessionId()}`)).toEqual([])
    })

    it('refuses an id that is not a session id, and records it cannot keep', async () => {
      await expect(store().write('../etc/passwd', live('x'), null)).rejects.toThrow(TypeError)
      const id = generateSessionId()
      await expect(store().write(id, live('nul \0 inside'), null)).rejects.toThrow(TypeError)
      const infinite = { record: 'x', expiresAt: Number.POSITIVE_INFINITY, userId: null }
      await expect(store().write(id, infinite, null)).rejects.toThrow(TypeError)
      expect(await store().read(id)).toBeNull()
    })

    it('treats SQL in values as data', async () => {
      const id = generateSessionId()
      const user = `'); DELETE FROM fetch_session; -- ${generateSessionId()}`
      const version = await store().write(id, live("'; DROP TABLE fetch_session; --", user), null)
      expect(await store().listByUser(user)).toEqual([
        { id, record: "'; DROP TABLE fetch_session; --", version },
      ])
    })
  })
}
