import { SessionConfigError } from './errors.ts'
import type {
  SessionStore,
  SessionVersion,
  SessionWrite,
  StoredSession,
  UserSession,
  VersionedSessionStore,
} from './session-store.ts'

/** Options of `MemoryStore`. */
export interface MemoryStoreOptions {
  /**
   * The most sessions kept at once; past it, the least recently used ones are dropped, so a
   * flood of new visitors cannot exhaust memory. At least 2. Default: 10000.
   */
  maxSessions?: number
}

// Each session is held as one string, its expiry time then its record: an object holding the
// two cost each session about 40 bytes more. The time, in whole milliseconds, takes the first
// seven characters, 7 bits each (up to the year 19000): written and read without formatting a
// number, and the string stays one byte per character.
type Entry = string

const TIME_CHARS = 7
const LATEST = 2 ** (7 * TIME_CHARS) - 1

/**
 * A store in the process's memory: for development, tests and single-process servers. Sessions
 * are lost on restart and not shared between processes or isolates.
 *
 * Bounded and expiry-aware: expired entries are never returned, and at most `maxSessions` are
 * held. Recency is kept in two generations: sessions written or read go into the young one;
 * when it holds half of `maxSessions`, it becomes the old one and the previous old one, holding
 * the sessions nobody used since, is dropped whole. Reads, writes and removals are constant-time
 * map accesses however full the store; `sweep()` and `listByUser()` walk what they return.
 *
 * It keeps the version 2 contract (compare-and-set, a user index) and, for code written against
 * version 1, `get`, `set` and `delete`. A record's version is its entry, the stored string
 * itself, so versions cost no memory.
 */
export class MemoryStore implements SessionStore, VersionedSessionStore {
  /** The resolved bound on the number of sessions. */
  readonly maxSessions: number
  readonly #generation: number
  #young = new Map<string, Entry>()
  #old = new Map<string, Entry>()
  /** The ids bound to each user, and the user of each such id. */
  readonly #users = new Map<string, Set<string>>()
  readonly #userOf = new Map<string, string>()

  /** @param options see `MemoryStoreOptions` */
  constructor(options: MemoryStoreOptions = {}) {
    const max = options.maxSessions ?? 10_000
    if (!Number.isSafeInteger(max) || max < 2) {
      throw new SessionConfigError('MemoryStore `maxSessions` must be an integer of at least 2')
    }
    this.maxSessions = max
    this.#generation = Math.floor(max / 2)
  }

  /** How many sessions are held, expired ones not yet dropped included. */
  get size(): number {
    return this.#young.size + this.#old.size
  }

  async get(id: string): Promise<string | null> {
    const entry = this.#use(id)
    return entry === undefined ? null : entry.slice(TIME_CHARS)
  }

  async set(id: string, record: string, expiresAt: number): Promise<void> {
    this.#put(id, record, expiresAt, null)
  }

  async delete(id: string): Promise<void> {
    this.#drop(id)
  }

  // Not `async` (nor those below): a store in memory answers at once, and the promise of an async
  // method that awaits another costs two more turns of the microtask queue on every request.
  read(id: string): Promise<StoredSession | null> {
    try {
      const entry = this.#use(id)
      return Promise.resolve(
        entry === undefined ? null : { record: entry.slice(TIME_CHARS), version: entry },
      )
    } catch (error) {
      return Promise.reject(error)
    }
  }

  write(
    id: string,
    write: SessionWrite,
    expected: SessionVersion | null,
  ): Promise<SessionVersion | null> {
    try {
      const current = this.#peek(id)
      if (expected === null ? current !== undefined : current !== expected) {
        return Promise.resolve(null)
      }
      return Promise.resolve(this.#put(id, write.record, write.expiresAt, write.userId))
    } catch (error) {
      return Promise.reject(error)
    }
  }

  remove(id: string, expected?: SessionVersion): Promise<boolean> {
    try {
      const current = this.#peek(id)
      if (current === undefined || (expected !== undefined && current !== expected)) {
        return Promise.resolve(false)
      }
      this.#drop(id)
      return Promise.resolve(true)
    } catch (error) {
      return Promise.reject(error)
    }
  }

  async listByUser(userId: string): Promise<UserSession[]> {
    const ids = this.#users.get(userId)
    if (ids === undefined) return []
    const found: UserSession[] = []
    for (const id of ids) {
      const entry = this.#peek(id)
      if (entry === undefined) this.#unindex(id)
      else found.push({ id, record: entry.slice(TIME_CHARS), version: entry })
    }
    return found
  }

  /**
   * Removes every expired entry now. Not needed for correctness or for the bound; a
   * long-running server may call it on a timer to return memory sooner.
   * @returns how many entries were removed
   */
  sweep(): number {
    const now = Date.now()
    let removed = 0
    for (const generation of [this.#young, this.#old]) {
      for (const [id, entry] of generation) {
        if (expiry(entry) <= now) {
          generation.delete(id)
          this.#unindex(id)
          removed++
        }
      }
    }
    return removed
  }

  // The live entry of an id, counted as a use: an entry of the old generation moves to the young
  // one, out of the generation that will be dropped.
  #use(id: string): Entry | undefined {
    let entry = this.#young.get(id)
    if (entry === undefined) {
      entry = this.#old.get(id)
      if (entry === undefined) return undefined
      this.#old.delete(id)
      if (expiry(entry) <= Date.now()) return undefined
      this.#keep(id, entry)
      return entry
    }
    return expiry(entry) > Date.now() ? entry : undefined
  }

  // The live entry of an id, without counting as a use.
  #peek(id: string): Entry | undefined {
    const entry = this.#young.get(id) ?? this.#old.get(id)
    return entry !== undefined && expiry(entry) > Date.now() ? entry : undefined
  }

  #put(id: string, record: string, expiresAt: number, userId: string | null): Entry {
    // join() gives one flat string; `+` would keep the pieces and the record's own rope.
    const entry = [time(expiresAt), record].join('')
    this.#old.delete(id)
    this.#unindex(id)
    // Also drops a NaN expiry; rounding down never keeps an entry past its time.
    if (!(expiresAt > Date.now())) {
      this.#young.delete(id)
      return entry
    }
    this.#keep(id, entry)
    if (userId !== null) {
      this.#userOf.set(id, userId)
      let ids = this.#users.get(userId)
      if (ids === undefined) this.#users.set(userId, (ids = new Set()))
      ids.add(id)
    }
    return entry
  }

  #drop(id: string): void {
    this.#young.delete(id)
    this.#old.delete(id)
    this.#unindex(id)
  }

  #unindex(id: string): void {
    const userId = this.#userOf.get(id)
    if (userId === undefined) return
    this.#userOf.delete(id)
    const ids = this.#users.get(userId)
    ids?.delete(id)
    if (ids?.size === 0) this.#users.delete(userId)
  }

  #keep(id: string, entry: Entry): void {
    const young = this.#young
    if (!young.has(id) && young.size >= this.#generation) {
      const dropped = this.#old
      this.#old = young
      this.#young = new Map()
      // The dropped generation's users lose their index entries too; the walk happens once per
      // maxSessions / 2 new sessions, and only in an app that logs users in.
      if (this.#userOf.size > 0) for (const id of dropped.keys()) this.#unindex(id)
    }
    this.#young.set(id, entry)
  }
}

function time(at: number): string {
  const n = Math.min(Math.floor(at), LATEST)
  // Two halves of 21 and 28 bits, so that the shifts work on 32-bit integers.
  const high = Math.floor(n / 2 ** 28)
  const low = n - high * 2 ** 28
  return String.fromCharCode(
    (high >>> 14) & 127,
    (high >>> 7) & 127,
    high & 127,
    (low >>> 21) & 127,
    (low >>> 14) & 127,
    (low >>> 7) & 127,
    low & 127,
  )
}

function expiry(entry: Entry): number {
  let n = 0
  for (let i = 0; i < TIME_CHARS; i++) n = n * 128 + entry.charCodeAt(i)
  return n
}
