import { describe, expect, it } from 'vitest'
import { MemoryStore } from '@fetch-session/core'
import type {
  SessionStore,
  SessionVersion,
  SessionWrite,
  StoredSession,
  UserSession,
  VersionedSessionStore,
} from '@fetch-session/core'
import { describeStore } from './describe-store.ts'
import { storeCapabilities } from './store-capabilities.ts'
import type { AnyStore } from './store-capabilities.ts'
import { runCheck, storeChecks } from './store-checks.ts'

interface Entry extends SessionWrite {
  version: SessionVersion
}

// The version 2 contract in a few lines, to show that a correct store passes every check. Each
// method does all its work before its first await, so each is atomic.
class ReferenceStore implements VersionedSessionStore {
  protected records = new Map<string, Entry>()
  #counter = 0

  async read(id: string): Promise<StoredSession | null> {
    const entry = this.live(id)
    return entry ? { record: entry.record, version: entry.version } : null
  }

  async write(
    id: string,
    write: SessionWrite,
    expected: SessionVersion | null,
  ): Promise<SessionVersion | null> {
    const entry = this.live(id)
    if (expected === null ? entry !== undefined : entry?.version !== expected) return null
    const version = ++this.#counter
    this.records.set(id, { ...write, version })
    return version
  }

  async remove(id: string, expected?: SessionVersion): Promise<boolean> {
    const entry = this.live(id)
    if (entry === undefined || (expected !== undefined && entry.version !== expected)) return false
    return this.records.delete(id)
  }

  async listByUser(userId: string): Promise<UserSession[]> {
    return [...this.records.keys()].flatMap((id) => {
      const entry = this.live(id)
      return entry?.userId === userId ? [{ id, record: entry.record, version: entry.version }] : []
    })
  }

  protected live(id: string): Entry | undefined {
    const entry = this.records.get(id)
    return entry && entry.expiresAt > Date.now() ? entry : undefined
  }
}

class IgnoresExpiry extends ReferenceStore {
  protected override live(id: string): Entry | undefined {
    return this.records.get(id)
  }
}

class LosesConflicts extends ReferenceStore {
  override async write(id: string, write: SessionWrite) {
    return super.write(id, write, this.live(id)?.version ?? null)
  }
}

class ReturnsStaleVersions extends ReferenceStore {
  override async write(id: string, write: SessionWrite, expected: SessionVersion | null) {
    const version = await super.write(id, write, expected)
    return version === null ? null : (expected ?? version)
  }
}

// Keeps its index apart from the records, as a real store does, and forgets to clean it up.
class LeavesIndexEntries extends ReferenceStore {
  #index = new Map<string, Entry & { id: string }>()

  override async write(id: string, write: SessionWrite, expected: SessionVersion | null) {
    const version = await super.write(id, write, expected)
    if (version !== null) {
      this.#index.delete(id)
      if (write.userId !== null) this.#index.set(id, { id, ...write, version })
    }
    return version
  }

  override async listByUser(userId: string): Promise<UserSession[]> {
    return [...this.#index.values()]
      .filter((entry) => entry.userId === userId && entry.expiresAt > Date.now())
      .map(({ id, record, version }) => ({ id, record, version }))
  }
}

// Versions by content, blind to the expiry: a rewrite that only moves the expiry keeps its version.
class VersionsByRecord extends ReferenceStore {
  override async write(id: string, write: SessionWrite, expected: SessionVersion | null) {
    const entry = this.live(id)
    if (expected === null ? entry !== undefined : entry?.version !== expected) return null
    this.records.set(id, { ...write, version: write.record })
    return write.record
  }
}

// A write at a version keeps the expiry the record was created with.
class KeepsFirstExpiry extends ReferenceStore {
  override async write(id: string, write: SessionWrite, expected: SessionVersion | null) {
    const first = this.live(id)?.expiresAt
    return super.write(id, { ...write, expiresAt: first ?? write.expiresAt }, expected)
  }
}

// Drops records halfway to their expiry time.
class ExpiresEarly extends ReferenceStore {
  override async write(id: string, write: SessionWrite, expected: SessionVersion | null) {
    const now = Date.now()
    return super.write(id, { ...write, expiresAt: now + (write.expiresAt - now) / 2 }, expected)
  }
}

// Checks the version, then awaits before removing: a write at that version can slip in between.
class RacyRemove extends ReferenceStore {
  override async remove(id: string, expected?: SessionVersion): Promise<boolean> {
    const entry = this.live(id)
    if (entry === undefined || (expected !== undefined && entry.version !== expected)) return false
    await new Promise((resolve) => setTimeout(resolve, 1))
    this.records.delete(id)
    return true
  }
}

// Finds a user's sessions by prefix, as a careless `SCAN`, `LIKE` or `list({ prefix })` would.
class ListsByPrefix extends ReferenceStore {
  override async listByUser(userId: string): Promise<UserSession[]> {
    return [...this.records.keys()].flatMap((id) => {
      const entry = this.live(id)
      return entry?.userId?.startsWith(userId)
        ? [{ id, record: entry.record, version: entry.version }]
        : []
    })
  }
}

// An index kept apart from the records whose entries keep the expiry of their first write, and
// whose records lose what is not ASCII on the way out.
class StaleIndex extends ReferenceStore {
  #expiry = new Map<string, number>()

  override async write(id: string, write: SessionWrite, expected: SessionVersion | null) {
    const version = await super.write(id, write, expected)
    if (version !== null && !this.#expiry.has(id)) this.#expiry.set(id, write.expiresAt)
    return version
  }

  override async listByUser(userId: string): Promise<UserSession[]> {
    const listed = await super.listByUser(userId)
    return listed
      .filter((entry) => (this.#expiry.get(entry.id) ?? 0) > Date.now())
      .map((entry) => ({ ...entry, record: entry.record.replace(/[^\x00-\x7f]/g, '?') }))
  }
}

// A version 1 store that keeps records forever.
class ForeverStore implements SessionStore {
  #records = new Map<string, string>()
  async get(id: string) {
    return this.#records.get(id)
  }
  async set(id: string, record: string) {
    this.#records.set(id, record)
  }
  async delete(id: string) {
    this.#records.delete(id)
  }
}

// Runs every check that applies to the store, all at once (each uses its own ids), and names
// those that fail.
async function failingChecks(store: AnyStore): Promise<string[]> {
  const has = storeCapabilities(store)
  const checks = storeChecks().filter((check) => has[check.contract])
  const results = await Promise.allSettled(checks.map((check) => runCheck(check, store)))
  return checks.filter((_, i) => results[i]?.status === 'rejected').map((check) => check.name)
}

const checkNamed = (start: string) => {
  const check = storeChecks().find((candidate) => candidate.name.startsWith(start))
  if (check === undefined) throw new Error(`no check starts with "${start}"`)
  return check.name
}

describeStore('MemoryStore', () => new MemoryStore())

const reference = new ReferenceStore()
describeStore('a reference version 2 store', () => reference)

describe('describeStore', () => {
  it('fails no check on a correct version 2 store', { timeout: 10_000 }, async () => {
    expect(await failingChecks(new ReferenceStore())).toEqual([])
  })

  it.each([
    [
      'a version 1 store that ignores expiry',
      () => new ForeverStore(),
      ['does not return a record after its expiry time', 'does not keep a record whose expiry'],
    ],
    [
      'a store that ignores expiry',
      () => new IgnoresExpiry(),
      [
        'treats an expired record as absent',
        'does not read a record written with an expiry',
        'lets index entries expire',
      ],
    ],
    [
      'a store that loses conflicts',
      () => new LosesConflicts(),
      [
        'refuses to create over a live record',
        'refuses a write at a stale version',
        'lets exactly one of 20 concurrent creates',
        'lets exactly one of 20 concurrent writes',
        'loses no increment',
        'changes no index entry on a refused write',
      ],
    ],
    [
      'a store that leaves index entries behind',
      () => new LeavesIndexEntries(),
      ['lists exactly the live records of a user', 'drops the index entry of a removed record'],
    ],
    [
      'a store that returns stale versions',
      () => new ReturnsStaleVersions(),
      ['replaces a record written at the expected version'],
    ],
    [
      'a store whose version ignores the expiry',
      () => new VersionsByRecord(),
      ['gives a new version to a rewrite of the same record'],
    ],
    [
      'a store whose writes keep the first expiry',
      () => new KeepsFirstExpiry(),
      ['keeps a record until its expiry time', 'keeps an index entry while its record lives'],
    ],
    [
      'a store that expires records early',
      () => new ExpiresEarly(),
      ['keeps a record until its expiry time', 'keeps an index entry while its record lives'],
    ],
    [
      'a store whose remove is not atomic',
      () => new RacyRemove(),
      ['lets exactly one of a remove and a write'],
    ],
    [
      'a store that lists users by prefix',
      () => new ListsByPrefix(),
      ['lists only the user named'],
    ],
    [
      'a store whose index keeps the first expiry and mangles records',
      () => new StaleIndex(),
      ['keeps an index entry while its record lives'],
    ],
  ])('fails %s', { timeout: 10_000 }, async (_, makeStore, expected) => {
    expect(await failingChecks(makeStore())).toEqual(
      expect.arrayContaining(expected.map(checkNamed)),
    )
  })

  it('fails a store that declares a capability it lacks', () => {
    expect(() => storeCapabilities(new ForeverStore(), { versioned: true })).toThrow(/versioned/)
    const { listByUser: _, ...unindexed } = methodsOf(new ReferenceStore())
    expect(() => storeCapabilities(unindexed, { userIndex: true })).toThrow(/userIndex/)
    expect(() => storeCapabilities({} as AnyStore)).toThrow(/neither contract/)
  })

  it('reads capabilities from the methods unless the store declares them', () => {
    expect(storeCapabilities(new ForeverStore())).toEqual({
      v1: true,
      versioned: false,
      userIndex: false,
    })
    expect(storeCapabilities(new ReferenceStore())).toEqual({
      v1: false,
      versioned: true,
      userIndex: true,
    })
    expect(storeCapabilities(new ReferenceStore(), { userIndex: false }).userIndex).toBe(false)
  })
})

// The store's methods as own properties bound to it, so that one can be left out.
function methodsOf(store: ReferenceStore): VersionedSessionStore {
  return {
    read: store.read.bind(store),
    write: store.write.bind(store),
    remove: store.remove.bind(store),
    listByUser: store.listByUser.bind(store),
  }
}
