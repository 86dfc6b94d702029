// The store contract as data: each check is a name and a function that throws when a store breaks
// it. `describeStore` turns them into tests; this package's own tests run them against broken
// stores to show that each breakage is caught.
import { expect } from 'vitest'
import { generateSessionId } from '@fetch-session/core'
import type {
  SessionStore,
  SessionVersion,
  SessionWrite,
  VersionedSessionStore,
} from '@fetch-session/core'
import type { AnyStore, StoreCapabilities } from './store-capabilities.ts'

/** A version 2 store with its user index. */
export type IndexedSessionStore = VersionedSessionStore &
  Required<Pick<VersionedSessionStore, 'listByUser'>>

interface CheckOf<Contract extends keyof StoreCapabilities, Store> extends CheckBody<Store> {
  /** The contract the check belongs to; it runs only on stores that keep it. */
  contract: Contract
}

interface CheckBody<Store> {
  /** The behaviour checked, as a test name. */
  name: string
  /** A longer time limit, in ms, for checks that wait for a record to expire. */
  timeout?: number
  /** Throws when the store breaks the contract. */
  run(store: Store): Promise<void>
}

/** One point of the store contract. */
export type StoreCheck =
  | CheckOf<'v1', SessionStore>
  | CheckOf<'versioned', VersionedSessionStore>
  | CheckOf<'userIndex', IndexedSessionStore>

/** Options of `storeChecks`. */
export interface StoreCheckOptions {
  /** How long past `expiresAt` a record may still be returned, in ms. Default: 0. */
  expiryGrace?: number
}

// Expiry is tested with real time, since the store may be a server that fake timers cannot reach.
const SHORT_LIFE = 800
// For records read before their expiry, at 60% of it: long enough that a busy machine still reads
// in time, short enough to catch a store that drops records at half their life.
const LONGER_LIFE = 2000
const EARLY_READ = LONGER_LIFE * 0.6
const CONCURRENCY = 20

const later = () => Date.now() + 60 * 60 * 1000
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const newUser = () => `user-${generateSessionId().slice(0, 16)}`
// Large, with characters outside ASCII and ones that need escaping in JSON, SQL or Lua.
const largeRecord = () =>
  JSON.stringify({ d: { name: 'Zoë 🛒', quote: `"'\\\n\u0000`, big: 'x'.repeat(20_000) } })

function session(record: string, userId: string | null = null, expiresAt = later()): SessionWrite {
  return { record, expiresAt, userId }
}

/**
 * Runs one check against a store, narrowed to the contract the check needs.
 * @param check the check
 * @param store the store, already known to keep `check.contract`
 */
export function runCheck(check: StoreCheck, store: AnyStore): Promise<void> {
  switch (check.contract) {
    case 'v1':
      return check.run(store as SessionStore)
    case 'versioned':
      return check.run(store as VersionedSessionStore)
    case 'userIndex':
      return check.run(store as IndexedSessionStore)
  }
}

/**
 * The checks of the store contract, versions 1 and 2 and the user index.
 * @param options how the store may deviate
 * @returns every check, in the order they are best reported
 */
export function storeChecks(options: StoreCheckOptions = {}): StoreCheck[] {
  const grace = options.expiryGrace ?? 0
  const timeout = 10_000 + grace
  // Waits until a record written now with SHORT_LIFE must be gone.
  const outlive = () => sleep(SHORT_LIFE + 200 + grace)

  const v1: CheckBody<SessionStore>[] = [
    {
      name: 'returns nothing for an id it never saw',
      run: async (store) => {
        expect(await store.get(generateSessionId())).toBeFalsy()
      },
    },
    {
      name: 'returns exactly the string it was given',
      run: async (store) => {
        const id = generateSessionId()
        const record = largeRecord()
        await store.set(id, record, later())
        expect(await store.get(id)).toBe(record)
      },
    },
    {
      name: 'replaces a record on set and keeps ids apart',
      run: async (store) => {
        const [a, b] = [generateSessionId(), generateSessionId()]
        await store.set(a, 'one', later())
        await store.set(b, 'other', later())
        await store.set(a, 'two', later())
        expect(await store.get(a)).toBe('two')
        expect(await store.get(b)).toBe('other')
      },
    },
    {
      name: 'deletes a record, and deleting an absent one is not an error',
      run: async (store) => {
        const id = generateSessionId()
        await store.set(id, 'gone soon', later())
        await store.delete(id)
        expect(await store.get(id)).toBeFalsy()
        await expect(store.delete(id)).resolves.toBeUndefined()
        await expect(store.delete(generateSessionId())).resolves.toBeUndefined()
      },
    },
    {
      name: 'does not return a record after its expiry time',
      timeout,
      run: async (store) => {
        const id = generateSessionId()
        await store.set(id, 'short-lived', Date.now() + SHORT_LIFE)
        expect(await store.get(id)).toBe('short-lived')
        await outlive()
        expect(await store.get(id)).toBeFalsy()
      },
    },
    {
      name: 'does not keep a record whose expiry time has passed already',
      run: async (store) => {
        const id = generateSessionId()
        await store.set(id, 'dead on arrival', Date.now() - 1000)
        expect(await store.get(id)).toBeFalsy()
      },
    },
    {
      name: 'ends concurrent writes to one id with one whole record',
      run: async (store) => {
        const id = generateSessionId()
        const records = Array.from({ length: CONCURRENCY }, (_, i) => `${i}:${'x'.repeat(5000)}`)
        await Promise.all(records.map((record) => store.set(id, record, later())))
        expect(records).toContain(await store.get(id))
      },
    },
  ]

  const versioned: CheckBody<VersionedSessionStore>[] = [
    {
      name: 'reads null for an id it never saw',
      run: async (store) => {
        expect(await store.read(generateSessionId())).toBeNull()
      },
    },
    {
      name: 'creates a record with expected null and reads it back exactly, with a version',
      run: async (store) => {
        const id = generateSessionId()
        const record = largeRecord()
        const version = await store.write(id, session(record), null)
        expect(version).not.toBeNull()
        const stored = await store.read(id)
        expect(stored?.record).toBe(record)
        expect(['string', 'number']).toContain(typeof stored?.version)
      },
    },
    {
      name: 'refuses to create over a live record, leaving it untouched',
      run: async (store) => {
        const id = generateSessionId()
        expect(await store.write(id, session('first'), null)).not.toBeNull()
        expect(await store.write(id, session('second'), null)).toBeNull()
        expect((await store.read(id))?.record).toBe('first')
      },
    },
    {
      name: 'replaces a record written at the expected version and gives it a new version',
      run: async (store) => {
        const id = generateSessionId()
        const created = await store.write(id, session('one'), null)
        const read = await store.read(id)
        expect(read?.record).toBe('one')
        const replaced = await store.write(id, session('two'), read!.version)
        expect(replaced).not.toBeNull()
        expect(replaced).not.toBe(created)
        expect(replaced).not.toBe(read!.version)
        expect((await store.read(id))?.record).toBe('two')
        // The version a write returns is the record's current one: the next write may use it.
        expect(await store.write(id, session('three'), replaced)).not.toBeNull()
        expect((await store.read(id))?.record).toBe('three')
      },
    },
    {
      name: 'gives a new version to a rewrite of the same record with another expiry',
      run: async (store) => {
        const id = generateSessionId()
        const first = await store.write(id, session('same', null, later()), null)
        const second = await store.write(id, session('same', null, later() + 60_000), first)
        expect(second).not.toBeNull()
        expect(second).not.toBe(first)
        expect(await store.write(id, session('lost'), first)).toBeNull()
      },
    },
    {
      name: 'refuses a write at a stale version, leaving the record untouched',
      run: async (store) => {
        const id = generateSessionId()
        const stale = await store.write(id, session('one'), null)
        expect(await store.write(id, session('two'), stale)).not.toBeNull()
        expect(await store.write(id, session('lost'), stale)).toBeNull()
        expect((await store.read(id))?.record).toBe('two')
      },
    },
    {
      name: 'never creates a record through a write at a version (absent or removed record)',
      run: async (store) => {
        const other = generateSessionId()
        const version = (await store.write(other, session('elsewhere'), null)) as SessionVersion
        const absent = generateSessionId()
        expect(await store.write(absent, session('resurrected'), version)).toBeNull()
        expect(await store.read(absent)).toBeNull()

        const removed = generateSessionId()
        const last = (await store.write(removed, session('ended'), null)) as SessionVersion
        expect(await store.remove(removed)).toBe(true)
        expect(await store.write(removed, session('resurrected'), last)).toBeNull()
        expect(await store.read(removed)).toBeNull()
      },
    },
    {
      name: 'keeps records of different ids apart',
      run: async (store) => {
        const [a, b] = [generateSessionId(), generateSessionId()]
        const va = await store.write(a, session('a1'), null)
        await store.write(b, session('b1'), null)
        await store.write(a, session('a2'), va)
        expect((await store.read(a))?.record).toBe('a2')
        expect((await store.read(b))?.record).toBe('b1')
        expect(await store.remove(a)).toBe(true)
        expect((await store.read(b))?.record).toBe('b1')
      },
    },
    {
      name: 'removes a live record once, returning true, then false',
      run: async (store) => {
        const id = generateSessionId()
        await store.write(id, session('gone soon'), null)
        expect(await store.remove(id)).toBe(true)
        expect(await store.read(id)).toBeNull()
        expect(await store.remove(id)).toBe(false)
        expect(await store.remove(generateSessionId())).toBe(false)
      },
    },
    {
      name: 'removes at an expected version only when the record is still at it',
      run: async (store) => {
        const id = generateSessionId()
        const stale = await store.write(id, session('one'), null)
        const current = (await store.write(id, session('two'), stale)) as SessionVersion
        expect(await store.remove(id, stale!)).toBe(false)
        expect((await store.read(id))?.record).toBe('two')
        expect(await store.remove(id, current)).toBe(true)
        expect(await store.read(id)).toBeNull()
      },
    },
    {
      name: 'treats an expired record as absent: not read, refreshed or removed; free to create',
      timeout,
      run: async (store) => {
        const id = generateSessionId()
        const version = await store.write(
          id,
          session('short-lived', null, Date.now() + SHORT_LIFE),
          null,
        )
        expect((await store.read(id))?.record).toBe('short-lived')
        await outlive()
        expect(await store.read(id)).toBeNull()
        expect(await store.write(id, session('refreshed'), version)).toBeNull()
        expect(await store.read(id)).toBeNull()
        expect(await store.remove(id)).toBe(false)
        expect(await store.write(id, session('new'), null)).not.toBeNull()
        expect((await store.read(id))?.record).toBe('new')
      },
    },
    {
      name: 'keeps a record until its expiry time, and past it once a write moved that time',
      timeout,
      run: async (store) => {
        const id = generateSessionId()
        await store.write(id, session('refreshed', null, Date.now() + LONGER_LIFE), null)
        await sleep(EARLY_READ)
        const early = await store.read(id)
        expect(early?.record).toBe('refreshed')
        const moved = await store.write(id, session('refreshed', null, later()), early!.version)
        expect(moved).not.toBeNull()
        await sleep(LONGER_LIFE - EARLY_READ + 200 + grace)
        expect((await store.read(id))?.record).toBe('refreshed')
      },
    },
    {
      name: 'does not read a record written with an expiry time already past',
      run: async (store) => {
        const id = generateSessionId()
        await store.write(id, session('dead on arrival', null, Date.now() - 1000), null)
        expect(await store.read(id)).toBeNull()
      },
    },
    {
      name: `lets exactly one of ${CONCURRENCY} concurrent creates of one id win`,
      run: async (store) => {
        const id = generateSessionId()
        const records = Array.from({ length: CONCURRENCY }, (_, i) => `create ${i}`)
        const results = await Promise.all(records.map((r) => store.write(id, session(r), null)))
        const winners = records.filter((_, i) => results[i] !== null)
        expect(winners).toHaveLength(1)
        expect((await store.read(id))?.record).toBe(winners[0])
      },
    },
    {
      name: `lets exactly one of ${CONCURRENCY} concurrent writes at the same version win`,
      run: async (store) => {
        const id = generateSessionId()
        const base = (await store.write(id, session('base'), null)) as SessionVersion
        const records = Array.from({ length: CONCURRENCY }, (_, i) => `update ${i}`)
        const results = await Promise.all(records.map((r) => store.write(id, session(r), base)))
        const winners = records.filter((_, i) => results[i] !== null)
        expect(winners).toHaveLength(1)
        expect((await store.read(id))?.record).toBe(winners[0])
      },
    },
    {
      name: 'lets exactly one of a remove and a write at one version win, and one of many removes',
      run: async (store) => {
        for (let round = 0; round < 5; round++) {
          const id = generateSessionId()
          const base = (await store.write(id, session('base'), null)) as SessionVersion
          const [removed, written] = await Promise.all([
            store.remove(id, base),
            store.write(id, session('written'), base),
          ])
          expect([removed, written !== null].filter(Boolean)).toHaveLength(1)
          expect((await store.read(id))?.record ?? null).toBe(removed ? null : 'written')
        }
        const id = generateSessionId()
        await store.write(id, session('once'), null)
        const removed = await Promise.all(
          Array.from({ length: CONCURRENCY }, () => store.remove(id)),
        )
        expect(removed.filter(Boolean)).toHaveLength(1)
      },
    },
    {
      name: `loses no increment of ${CONCURRENCY} concurrent read-modify-write loops`,
      run: async (store) => {
        const id = generateSessionId()
        await store.write(id, session(JSON.stringify({ n: 0 })), null)
        // A store that loses conflicts ends below the count; one that reports false conflicts
        // would loop forever without the bound.
        const increment = async () => {
          for (let attempt = 0; attempt < 50 * CONCURRENCY; attempt++) {
            const stored = await store.read(id)
            if (stored === null) throw new Error('the record disappeared')
            const { n } = JSON.parse(stored.record) as { n: number }
            const written = await store.write(
              id,
              session(JSON.stringify({ n: n + 1 })),
              stored.version,
            )
            if (written !== null) return
          }
          throw new Error('a write never succeeded')
        }
        await Promise.all(Array.from({ length: CONCURRENCY }, increment))
        const stored = await store.read(id)
        expect(JSON.parse(stored!.record)).toEqual({ n: CONCURRENCY })
      },
    },
  ]

  const userIndex: CheckBody<IndexedSessionStore>[] = [
    {
      name: 'lists exactly the live records of a user, with ids, records and versions',
      run: async (store) => {
        const [alice, bob] = [newUser(), newUser()]
        const [a1, a2] = [generateSessionId(), generateSessionId()]
        const [b1, anonymous] = [generateSessionId(), generateSessionId()]
        await store.write(a1, session('alice 1', alice), null)
        const a2Old = await store.write(a2, session('alice 2', alice), null)
        await store.write(a2, session('alice 2 again', alice), a2Old)
        await store.write(b1, session('bob 1', bob), null)
        await store.write(anonymous, session('nobody'), null)

        const listed = await store.listByUser(alice)
        const byId = (x: { id: string }, y: { id: string }) => (x.id < y.id ? -1 : 1)
        const expected = await Promise.all(
          [a1, a2].map(async (id) => ({ id, ...(await store.read(id))! })),
        )
        expect(listed.map(({ id, record }) => ({ id, record })).sort(byId)).toEqual(
          expected.map(({ id, record }) => ({ id, record })).sort(byId),
        )
        expect((await store.listByUser(bob)).map(({ id }) => id)).toEqual([b1])
        // Listed versions are current ones: an application ends a listed session with them.
        for (const entry of listed) expect(await store.remove(entry.id, entry.version)).toBe(true)
        expect(await store.listByUser(alice)).toEqual([])
      },
    },
    {
      name: 'lists only the user named, never one whose id it begins or matches as a pattern',
      run: async (store) => {
        // Ends in a letter, so that no pattern below is the id itself (a random id may end in `_`).
        const stem = newUser()
        const user = `${stem}x`
        // Longer ids, and ids that are patterns matching this one in Redis (`*`, `?`) or SQL
        // (`%`, `_`).
        const others = [`${user}2`, `${user}:x`, `${stem}*`, `${stem}?`, `${stem}%`, `${stem}_`]
        const own = generateSessionId()
        await store.write(own, session('own', user), null)
        for (const other of others) {
          await store.write(generateSessionId(), session(`of ${other}`, other), null)
        }
        expect((await store.listByUser(user)).map((entry) => entry.id)).toEqual([own])
        for (const other of others) {
          const listed = await store.listByUser(other)
          expect(listed.map((entry) => entry.record)).toEqual([`of ${other}`])
        }
      },
    },
    {
      name: 'lists nothing for a user it never saw',
      run: async (store) => {
        expect(await store.listByUser(newUser())).toEqual([])
      },
    },
    {
      name: 'keeps one index entry per record however often it is rewritten',
      run: async (store) => {
        const user = newUser()
        const id = generateSessionId()
        let version = await store.write(id, session('v0', user), null)
        for (let i = 1; i <= 3; i++)
          version = await store.write(id, session(`v${i}`, user), version)
        const listed = await store.listByUser(user)
        expect(listed.map(({ id, record }) => ({ id, record }))).toEqual([{ id, record: 'v3' }])
      },
    },
    {
      name: 'moves the index entry when a record is rewritten for another user or none',
      run: async (store) => {
        const [first, second] = [newUser(), newUser()]
        const id = generateSessionId()
        const v1 = await store.write(id, session('first', first), null)
        const v2 = await store.write(id, session('second', second), v1)
        expect(await store.listByUser(first)).toEqual([])
        expect((await store.listByUser(second)).map((entry) => entry.id)).toEqual([id])
        await store.write(id, session('anonymous', null), v2)
        expect(await store.listByUser(second)).toEqual([])
      },
    },
    {
      name: 'changes no index entry on a refused write',
      run: async (store) => {
        const [owner, intruder] = [newUser(), newUser()]
        const id = generateSessionId()
        const stale = await store.write(id, session('one', owner), null)
        await store.write(id, session('two', owner), stale)
        expect(await store.write(id, session('lost', intruder), stale)).toBeNull()
        expect(await store.write(id, session('lost', intruder), null)).toBeNull()
        expect(await store.listByUser(intruder)).toEqual([])
        const listed = await store.listByUser(owner)
        expect(listed.map(({ id, record }) => ({ id, record }))).toEqual([{ id, record: 'two' }])
      },
    },
    {
      name: 'drops the index entry of a removed record',
      run: async (store) => {
        const user = newUser()
        const [plain, versioned] = [generateSessionId(), generateSessionId()]
        const kept = generateSessionId()
        await store.write(plain, session('plain', user), null)
        const version = (await store.write(versioned, session('versioned', user), null))!
        await store.write(kept, session('kept', user), null)
        await store.remove(plain)
        await store.remove(versioned, version)
        expect((await store.listByUser(user)).map((entry) => entry.id)).toEqual([kept])
      },
    },
    {
      name: 'lets index entries expire with their records',
      timeout,
      run: async (store) => {
        const user = newUser()
        const [short, long] = [generateSessionId(), generateSessionId()]
        await store.write(short, session('short-lived', user, Date.now() + SHORT_LIFE), null)
        await store.write(long, session('long-lived', user), null)
        expect((await store.listByUser(user)).map((entry) => entry.id).sort()).toEqual(
          [short, long].sort(),
        )
        await outlive()
        expect((await store.listByUser(user)).map((entry) => entry.id)).toEqual([long])
        // A new record under the expired id is listed once.
        await store.write(short, session('new', user), null)
        expect((await store.listByUser(user)).map((entry) => entry.id).sort()).toEqual(
          [short, long].sort(),
        )
      },
    },
    {
      name: 'keeps an index entry while its record lives, also after a write moved its expiry',
      timeout,
      run: async (store) => {
        const user = newUser()
        const id = generateSessionId()
        const record = largeRecord()
        const expected = [{ id, record }]
        await store.write(id, session(record, user, Date.now() + LONGER_LIFE), null)
        await sleep(EARLY_READ)
        const early = await store.listByUser(user)
        expect(early.map((entry) => ({ id: entry.id, record: entry.record }))).toEqual(expected)
        const moved = await store.write(id, session(record, user, later()), early[0]!.version)
        expect(moved).not.toBeNull()
        await sleep(LONGER_LIFE - EARLY_READ + 200 + grace)
        const late = await store.listByUser(user)
        expect(late.map((entry) => ({ id: entry.id, record: entry.record }))).toEqual(expected)
      },
    },
    {
      name: 'lists 50 sessions of one user',
      run: async (store) => {
        const user = newUser()
        const ids = Array.from({ length: 50 }, generateSessionId)
        await Promise.all(ids.map((id, i) => store.write(id, session(`session ${i}`, user), null)))
        const listed = await store.listByUser(user)
        expect(listed.map((entry) => entry.id).sort()).toEqual([...ids].sort())
        for (const entry of listed) {
          expect(entry.record).toBe(`session ${ids.indexOf(entry.id)}`)
        }
      },
    },
  ]

  return [
    ...v1.map((check) => ({ ...check, contract: 'v1' as const })),
    ...versioned.map((check) => ({ ...check, contract: 'versioned' as const })),
    ...userIndex.map((check) => ({ ...check, contract: 'userIndex' as const })),
  ]
}
