// DurableObjectStore running inside workerd over real Durable Objects, driven from Node through
// the test worker: the version 2 contract, point by point, on both storage backends a class can
// have, and what each object really stores.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Miniflare } from 'miniflare'
import { generateSessionId } from '@fetch-session/core'
import type { SessionWrite } from '@fetch-session/core'
import {
  BACKENDS,
  callObject,
  inspect,
  remoteStore,
  sessionObject,
  startWorker,
  userObject,
} from './support/workerd.ts'
import type { Backend, RemoteStore } from './support/workerd.ts'

const HOUR = 60 * 60 * 1000

function session(record: string, userId: string | null = null, lifetime = HOUR): SessionWrite {
  return { record, expiresAt: Date.now() + lifetime, userId }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

// A user id of its own per test, so that tests sharing a worker never share an index.
let users = 0
const newUser = () => `user-${++users}-${Math.random().toString(36).slice(2)}`

describe.each(BACKENDS)('DurableObjectStore (%s-backed objects)', (backend: Backend) => {
  let mf: Miniflare
  let store: RemoteStore

  beforeAll(async () => {
    mf = await startWorker(backend)
    store = remoteStore(mf)
  })

  afterAll(async () => {
    await mf?.dispose()
  })

  describe('store.read()', () => {
    it('returns null for an id never written, and for anything that is not a session id', async () => {
      expect(await store.read(generateSessionId())).toBeNull()
      expect(await store.read('../../etc/passwd')).toBeNull()
      expect(await store.read('')).toBeNull()
    })

    it('returns exactly the record written, with the version the write returned', async () => {
      const id = generateSessionId()
      const record = JSON.stringify({
        d: { name: 'Zoë 🛒', quote: '"\\\n', big: 'x'.repeat(20_000) },
      })
      const version = await store.write(id, session(record), null)
      expect(version).not.toBeNull()
      expect(await store.read(id)).toEqual({ record, version })
    })
  })

  describe('store.write()', () => {
    it('creates only when the id is free, and reports a taken id as a conflict', async () => {
      const id = generateSessionId()
      const first = await store.write(id, session('first'), null)
      expect(await store.write(id, session('second'), null)).toBeNull()
      expect(await store.read(id)).toEqual({ record: 'first', version: first })
    })

    it('replaces a record at the expected version with a new version, and refuses a stale one', async () => {
      const id = generateSessionId()
      const v1 = await store.write(id, session('one'), null)
      const v2 = await store.write(id, session('two'), v1)
      expect(v2).not.toBeNull()
      expect(v2).not.toBe(v1)
      expect(await store.write(id, session('stale'), v1)).toBeNull()
      expect(await store.read(id)).toEqual({ record: 'two', version: v2 })
    })

    it('refuses a version from before the record was removed and written again', async () => {
      const id = generateSessionId()
      const old = await store.write(id, session('old'), null)
      expect(await store.remove(id)).toBe(true)
      const fresh = await store.write(id, session('fresh'), null)
      expect(fresh).not.toBe(old)
      expect(await store.write(id, session('from the past'), old!)).toBeNull()
      expect(await store.read(id)).toEqual({ record: 'fresh', version: fresh })
    })

    it('lets exactly one of 20 parallel writes at one version win', async () => {
      const id = generateSessionId()
      const base = await store.write(id, session('base'), null)
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, n) => store.write(id, session(`write ${n}`), base)),
      )
      const winners = results.flatMap((version, n) => (version === null ? [] : [{ version, n }]))
      expect(winners).toHaveLength(1)
      expect(await store.read(id)).toEqual({
        record: `write ${winners[0]!.n}`,
        version: winners[0]!.version,
      })
    })

    it("lets exactly one win also when each write first extends the user's index entry", async () => {
      const id = generateSessionId()
      const user = newUser()
      const base = await store.write(id, session('base', user), null)
      // Each write outlives the index entry, so each one calls the user's object before it
      // writes: the object must not let another write in while it waits for that call.
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, n) =>
          store.write(id, session(`write ${n}`, user, 2 * HOUR + n), base),
        ),
      )
      const winners = results.filter((version) => version !== null)
      expect(winners).toHaveLength(1)
      expect(await store.read(id)).toMatchObject({ version: winners[0] })
    })

    it('lets exactly one of 20 parallel creations of one id win', async () => {
      const id = generateSessionId()
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, n) => store.write(id, session(`create ${n}`), null)),
      )
      expect(results.filter((version) => version !== null)).toHaveLength(1)
    })

    it('treats an expired record as absent: free to create, and never at a version', async () => {
      const id = generateSessionId()
      const old = await store.write(id, session('short', null, 300), null)
      await sleep(500)
      expect(await store.read(id)).toBeNull()
      expect(await store.write(id, session('stale'), old)).toBeNull()
      const fresh = await store.write(id, session('fresh'), null)
      expect(await store.read(id)).toEqual({ record: 'fresh', version: fresh })
    })

    it('ends the session when the write has expired already, leaving nothing stored', async () => {
      const id = generateSessionId()
      const user = newUser()
      const v1 = await store.write(id, session('live', user), null)
      const v2 = await store.write(id, session('dead', user, -1000), v1)
      expect(v2).not.toBeNull()
      expect(await store.read(id)).toBeNull()
      expect(await store.listByUser(user)).toEqual([])
      expect(await inspect(mf, sessionObject(id))).toEqual({ entries: {}, alarm: null })
      expect(await inspect(mf, userObject(user))).toEqual({ entries: {}, alarm: null })
    })

    it('refuses an id that is not a session id, and a malformed write, before any object', async () => {
      await expect(store.write('not-an-id', session('x'), null)).rejects.toMatchObject({
        name: 'TypeError',
      })
      const id = generateSessionId()
      const bad = [
        { record: 42, expiresAt: Date.now() + HOUR, userId: null },
        { record: 'x', expiresAt: Number.NaN, userId: null },
        { record: 'x', expiresAt: Date.now() + HOUR, userId: '' },
      ] as unknown as SessionWrite[]
      for (const write of bad) {
        await expect(store.write(id, write, null)).rejects.toMatchObject({ name: 'TypeError' })
      }
      expect(await store.read(id)).toBeNull()
      expect(await inspect(mf, sessionObject(id))).toEqual({ entries: {}, alarm: null })
    })
  })

  describe('store.remove()', () => {
    it('removes a live record once, and an absent one is not an error', async () => {
      const id = generateSessionId()
      await store.write(id, session('here'), null)
      expect(await store.remove(id)).toBe(true)
      expect(await store.read(id)).toBeNull()
      expect(await store.remove(id)).toBe(false)
      expect(await store.remove(generateSessionId())).toBe(false)
      expect(await store.remove('not-an-id')).toBe(false)
    })

    it('removes only at the expected version when one is given', async () => {
      const id = generateSessionId()
      const v1 = await store.write(id, session('one'), null)
      const v2 = await store.write(id, session('two'), v1)
      expect(await store.remove(id, v1!)).toBe(false)
      expect(await store.read(id)).toEqual({ record: 'two', version: v2 })
      expect(await store.remove(id, v2!)).toBe(true)
      expect(await store.read(id)).toBeNull()
    })

    it('reports an expired record as not removed, and clears what its object stored', async () => {
      const id = generateSessionId()
      await store.write(id, session('short', null, 300), null)
      await sleep(500)
      expect(await store.remove(id)).toBe(false)
      expect(await inspect(mf, sessionObject(id))).toEqual({ entries: {}, alarm: null })
    })

    it("clears the session's object and its entry in the user's index", async () => {
      const user = newUser()
      const [a, b] = [generateSessionId(), generateSessionId()]
      await store.write(a, session('a', user), null)
      await store.write(b, session('b', user), null)
      expect(Object.keys((await inspect(mf, userObject(user))).entries).sort()).toEqual(
        [`index:${a}`, `index:${b}`].sort(),
      )
      expect(await store.remove(a)).toBe(true)
      expect(await inspect(mf, sessionObject(a))).toEqual({ entries: {}, alarm: null })
      expect(Object.keys((await inspect(mf, userObject(user))).entries)).toEqual([`index:${b}`])
      // The last entry gone, the user's object keeps nothing either.
      expect(await store.remove(b)).toBe(true)
      expect(await inspect(mf, userObject(user))).toEqual({ entries: {}, alarm: null })
    })
  })

  describe('store.listByUser()', () => {
    it('lists every live session of the user with its id, record and version', async () => {
      const [ada, grace] = [newUser(), newUser()]
      const ids = [generateSessionId(), generateSessionId(), generateSessionId()]
      const versions = await Promise.all(
        ids.map((id, n) => store.write(id, session(`ada ${n}`, ada), null)),
      )
      const other = generateSessionId()
      await store.write(other, session('grace', grace), null)
      await store.write(generateSessionId(), session('anonymous'), null)

      const listed = await store.listByUser(ada)
      expect(listed.sort((x, y) => x.record.localeCompare(y.record))).toEqual(
        ids.map((id, n) => ({ id, record: `ada ${n}`, version: versions[n] })),
      )
      expect(await store.listByUser(grace)).toEqual([
        { id: other, record: 'grace', version: expect.any(String) },
      ])
      expect(await store.listByUser(newUser())).toEqual([])
    })

    it('follows each write: new versions, a session moved to another user, one unbound', async () => {
      const [ada, grace] = [newUser(), newUser()]
      const [a, b] = [generateSessionId(), generateSessionId()]
      const a1 = await store.write(a, session('a', ada), null)
      const b1 = await store.write(b, session('b', ada), null)
      const a2 = await store.write(a, session('a, again', ada), a1)
      expect(await store.listByUser(ada)).toContainEqual({ id: a, record: 'a, again', version: a2 })

      const b2 = await store.write(b, session('b, now grace', grace), b1)
      expect((await store.listByUser(ada)).map((entry) => entry.id)).toEqual([a])
      expect(await store.listByUser(grace)).toEqual([
        { id: b, record: 'b, now grace', version: b2 },
      ])
      // The move dropped the entry from the first user's index, not only from the listing.
      expect(Object.keys((await inspect(mf, userObject(ada))).entries)).toEqual([`index:${a}`])

      await store.write(a, session('a, logged out', null), a2)
      expect(await store.listByUser(ada)).toEqual([])
      expect(await inspect(mf, userObject(ada))).toEqual({ entries: {}, alarm: null })
    })

    it('never lists an expired session', async () => {
      const user = newUser()
      const [short, long] = [generateSessionId(), generateSessionId()]
      await store.write(short, session('short', user, 300), null)
      await store.write(long, session('long', user), null)
      await sleep(500)
      expect((await store.listByUser(user)).map((entry) => entry.id)).toEqual([long])
    })

    it('asks every listed session again, and drops an index entry that is not the truth', async () => {
      const [ada, grace] = [newUser(), newUser()]
      const graces = generateSessionId()
      await store.write(graces, session('grace', grace), null)
      const gone = generateSessionId()
      // Entries that the index holds although no live session of that user backs them: one for
      // another user's session, one for a session that does not exist.
      await callObject(mf, userObject(ada), 'addToIndex', graces, Date.now() + HOUR)
      await callObject(mf, userObject(ada), 'addToIndex', gone, Date.now() + HOUR)
      expect(Object.keys((await inspect(mf, userObject(ada))).entries)).toHaveLength(2)

      expect(await store.listByUser(ada)).toEqual([])
      expect(await inspect(mf, userObject(ada))).toEqual({ entries: {}, alarm: null })
      expect(await store.listByUser(grace)).toHaveLength(1)
    })

    it('never lists a session once its removal has resolved, with removals and listings in flight together', async () => {
      const user = newUser()
      const ids = Array.from({ length: 10 }, () => generateSessionId())
      await Promise.all(ids.map((id) => store.write(id, session(id, user), null)))
      const removed = new Set<string>()
      const listings: Promise<void>[] = []
      await Promise.all(
        ids.map(async (id) => {
          // A listing started after this removal resolved must not show this session.
          expect(await store.remove(id)).toBe(true)
          removed.add(id)
          const gone = new Set(removed)
          listings.push(
            store.listByUser(user).then((listed) => {
              for (const entry of listed) expect(gone.has(entry.id)).toBe(false)
            }),
          )
        }),
      )
      await Promise.all(listings)
      expect(listings).toHaveLength(10)
      expect(await store.listByUser(user)).toEqual([])
    })

    it('keeps every session of the user listed while they are written in parallel', async () => {
      const user = newUser()
      const ids = Array.from({ length: 8 }, () => generateSessionId())
      const versions = await Promise.all(ids.map((id) => store.write(id, session('0', user), null)))
      // Each session rewritten five times, one after another, all sessions at once, while
      // listings run: a write never takes its session out of the index, even for a moment.
      const writes = ids.map(async (id, n) => {
        let version = versions[n]!
        for (let round = 1; round <= 5; round++) {
          version = (await store.write(id, session(String(round), user), version))!
        }
      })
      const listings = Array.from({ length: 5 }, async () =>
        (await store.listByUser(user)).map((entry) => entry.id).sort(),
      )
      await Promise.all(writes)
      for (const listed of await Promise.all(listings)) expect(listed).toEqual([...ids].sort())
      expect((await store.listByUser(user)).every((entry) => entry.record === '5')).toBe(true)
    })

    it('refuses a user id that is not a non-empty string', async () => {
      await expect(store.listByUser('')).rejects.toMatchObject({ name: 'TypeError' })
    })
  })

  describe('SessionDurableObject', () => {
    it('refuses an id that is not a session id when called directly', async () => {
      const name = sessionObject(generateSessionId())
      await expect(callObject(mf, name, 'read', '../x')).rejects.toMatchObject({
        name: 'TypeError',
      })
      await expect(
        callObject(mf, name, 'write', 'x'.repeat(31), session('x'), null, null),
      ).rejects.toMatchObject({ name: 'TypeError' })
      await expect(
        callObject(mf, userObject(newUser()), 'addToIndex', 'not an id', Date.now() + HOUR),
      ).rejects.toMatchObject({ name: 'TypeError' })
    })
  })
})
