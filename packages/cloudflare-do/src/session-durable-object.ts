// Each object of this class plays one of two parts, chosen by the name the store gives it:
// - `session:<id>` holds one session, under the key 'session' (a SessionEntry);
// - `user:<userId>` holds the index of one user's sessions, one key 'index:<id>' per session,
//   whose value is the time the entry expires.
// An object's storage is transactional and its events run one at a time; the only place where
// two calls could interleave is an await on another object, which is why the session part runs
// its writes one after another in a queue of its own.
import { DurableObject } from 'cloudflare:workers'
import { isSessionId } from '@fetch-session/core'
import type { SessionVersion, SessionWrite, StoredSession } from '@fetch-session/core'
import { checkSessionWrite, checkUserId } from './session-write-check.ts'

const SESSION_KEY = 'session'
const INDEX_PREFIX = 'index:'
// The storage API deletes at most 128 keys per call.
const DELETE_BATCH = 128

/** What a session's object stores. */
interface SessionEntry {
  /** The session id, so that an alarm knows which index entry is its own. */
  id: string
  record: string
  version: string
  expiresAt: number
  userId: string | null
  /** The id (as a string) of the user's index object, when the session is bound to a user. */
  indexObject: string | null
  /** The expiry written to the user's index entry; a write that outlives it extends it. */
  indexedUntil: number
  /** When this object's alarm is set to go off. */
  alarmAt: number
}

/** The methods of a user's index object that a session's object calls. */
interface IndexStub {
  addToIndex(id: string, expiresAt: number): Promise<void>
  dropFromIndex(id: string): Promise<void>
}

interface OwnNamespace {
  idFromString(id: string): { equals(other: unknown): boolean }
  get(id: unknown): IndexStub
}

/**
 * The Durable Object class behind `DurableObjectStore`: export it from the Worker's main module
 * and bind it as a Durable Object namespace (see the README for the wrangler configuration).
 * One object holds one session, and one object per user holds the index of that user's
 * sessions; each session is written with compare-and-set inside its object, and every object
 * deletes what it stores with an alarm when it expires, so storage does not grow without end.
 *
 * Its public methods are the Workers RPC protocol between `DurableObjectStore` and its objects,
 * which ship in the same Worker and change together: call the store, not these.
 * @see https://developers.cloudflare.com/durable-objects/
 */
export class SessionDurableObject extends DurableObject {
  #tail: Promise<unknown> = Promise.resolve()
  #namespace: OwnNamespace | undefined

  /**
   * Reads this object's session.
   * @param id the session id
   * @returns the record and its version, or `null` when absent or expired
   */
  async read(id: string): Promise<StoredSession | null> {
    checkSessionId(id)
    const entry = await this.#stored()
    if (entry === undefined || !(entry.expiresAt > Date.now())) return null
    return { record: entry.record, version: entry.version }
  }

  /**
   * Writes this object's session if it is still at `expected` (compare-and-set). A session
   * bound to a user is entered in (or kept in) the user's index before the record is written,
   * so that a live session is never missing from its user's index.
   * @param id the session id
   * @param write the record, its expiry and its user
   * @param expected the version read before, or `null` to create the session only if absent
   * @param indexObject the id string of the user's index object; needed when bound to a user
   * @returns the new version, or `null` on a conflict
   */
  async write(
    id: string,
    write: SessionWrite,
    expected: SessionVersion | null,
    indexObject: string | null,
  ): Promise<string | null> {
    checkSessionId(id)
    const { record, expiresAt, userId } = checkSessionWrite(write)
    if (userId !== null && typeof indexObject !== 'string') {
      throw new TypeError('A session bound to a user needs the id of its index object')
    }
    return this.#serial(async () => {
      const now = Date.now()
      const stored = await this.#stored()
      const current = stored !== undefined && stored.expiresAt > now ? stored : null
      const matches = expected === null ? current === null : current?.version === expected
      if (!matches) return null
      const version = crypto.randomUUID()
      if (expiresAt <= now) {
        // A write that has expired already ends the session, which is what a read would see.
        if (stored !== undefined) await this.#erase(stored)
        return version
      }
      const sameIndex = current !== null && userId !== null && current.userId === userId
      let indexedUntil = sameIndex ? current.indexedUntil : 0
      if (userId !== null && expiresAt > indexedUntil) {
        await this.#index(indexObject!).addToIndex(id, expiresAt)
        indexedUntil = expiresAt
      }
      // An alarm that goes off before the expiry finds the session live and sets itself again,
      // so an extended session needs no new alarm; only a shortened or fresh one does.
      const keepAlarm = stored !== undefined && stored.alarmAt > now && stored.alarmAt <= expiresAt
      const alarmAt = keepAlarm ? stored.alarmAt : expiresAt
      const entry: SessionEntry = {
        id,
        record,
        version,
        expiresAt,
        userId,
        indexObject: userId === null ? null : indexObject,
        indexedUntil,
        alarmAt,
      }
      await this.ctx.storage.put(SESSION_KEY, entry)
      if (!keepAlarm) await this.ctx.storage.setAlarm(alarmAt)
      if (stored !== undefined && stored.indexObject !== entry.indexObject) {
        await this.#dropFromIndex(stored, now)
      }
      return version
    })
  }

  /**
   * Removes this object's session, all that the object stores, and the session's entry in its
   * user's index.
   * @param id the session id
   * @param expected when given, remove only if the session is at this version
   * @returns whether a live session was removed
   */
  async remove(id: string, expected?: SessionVersion): Promise<boolean> {
    checkSessionId(id)
    return this.#serial(async () => {
      const stored = await this.#stored()
      if (stored === undefined) return false
      const live = stored.expiresAt > Date.now()
      const removed = live && (expected === undefined || stored.version === expected)
      // An expired session is cleared as well: nobody can read it any more.
      if (removed || !live) await this.#erase(stored)
      return removed
    })
  }

  /**
   * Reads this object's session for a listing of a user's sessions: the session if it is live
   * and bound to that user. Otherwise its entry in that user's index is stale (the session was
   * removed, expired or bound to another user), and is dropped here, in turn with this
   * session's writes, so that it cannot drop the entry of a write that binds it to the user
   * again.
   * @param id the session id
   * @param userId the user being listed
   * @param indexObject the id string of that user's index object
   * @returns the record and its version, or `null`
   */
  async readForUser(
    id: string,
    userId: string,
    indexObject: string,
  ): Promise<StoredSession | null> {
    checkSessionId(id)
    checkUserId(userId)
    return this.#serial(async () => {
      const entry = await this.#stored()
      if (entry !== undefined && entry.expiresAt > Date.now() && entry.userId === userId) {
        return { record: entry.record, version: entry.version }
      }
      await bestEffort(() => this.#index(indexObject).dropFromIndex(id))
      return null
    })
  }

  /**
   * Enters a session in this user's index, or extends its entry; an entry never shortens, so
   * that it lasts at least as long as every write it was made for.
   * @param id the session id
   * @param expiresAt when the entry may go, in milliseconds since the epoch
   */
  async addToIndex(id: string, expiresAt: number): Promise<void> {
    checkSessionId(id)
    if (typeof expiresAt !== 'number' || !Number.isFinite(expiresAt)) {
      throw new TypeError('An index entry needs a finite expiry')
    }
    const key = INDEX_PREFIX + id
    const current = await this.ctx.storage.get<number>(key)
    if (current !== undefined && current >= expiresAt) return
    await this.ctx.storage.put(key, expiresAt)
    const alarm = await this.ctx.storage.getAlarm()
    if (alarm === null || expiresAt < alarm) await this.ctx.storage.setAlarm(expiresAt)
  }

  /**
   * Drops a session from this user's index; the last one gone, the object clears its storage.
   * @param id the session id
   */
  async dropFromIndex(id: string): Promise<void> {
    checkSessionId(id)
    await this.ctx.storage.delete(INDEX_PREFIX + id)
    const rest = await this.ctx.storage.list({ prefix: INDEX_PREFIX, limit: 1 })
    if (rest.size === 0) await this.#clear()
  }

  /**
   * Lists the sessions of this user's index whose entries have not expired.
   * @returns their ids, in no particular order
   */
  async listIndex(): Promise<string[]> {
    const entries = await this.ctx.storage.list<number>({ prefix: INDEX_PREFIX })
    const now = Date.now()
    const ids: string[] = []
    for (const [key, expiresAt] of entries) {
      if (expiresAt > now) ids.push(key.slice(INDEX_PREFIX.length))
    }
    return ids
  }

  /**
   * The alarm: a session's object deletes its session once expired (or sets the alarm again
   * for a session extended since); a user's object drops its expired entries and sets the
   * alarm for the next one, or clears its storage when none is left.
   */
  override async alarm(): Promise<void> {
    await this.#serial(async () => {
      const now = Date.now()
      const stored = await this.#stored()
      if (stored !== undefined) {
        if (stored.expiresAt > now) {
          await this.ctx.storage.put(SESSION_KEY, { ...stored, alarmAt: stored.expiresAt })
          await this.ctx.storage.setAlarm(stored.expiresAt)
        } else {
          await this.#erase(stored)
        }
        return
      }
      const entries = await this.ctx.storage.list<number>({ prefix: INDEX_PREFIX })
      const expired: string[] = []
      let next = Infinity
      for (const [key, expiresAt] of entries) {
        if (expiresAt > now) next = Math.min(next, expiresAt)
        else expired.push(key)
      }
      if (next === Infinity) {
        await this.#clear()
        return
      }
      for (let start = 0; start < expired.length; start += DELETE_BATCH) {
        await this.ctx.storage.delete(expired.slice(start, start + DELETE_BATCH))
      }
      await this.ctx.storage.setAlarm(next)
    })
  }

  #stored(): Promise<SessionEntry | undefined> {
    return this.ctx.storage.get<SessionEntry>(SESSION_KEY)
  }

  // Deletes everything the session's object stores, then its entry in the user's index.
  async #erase(stored: SessionEntry): Promise<void> {
    const now = Date.now()
    await this.#clear()
    await this.#dropFromIndex(stored, now)
  }

  // A failed drop leaves a stale entry, which a listing filters out (and drops) and which
  // expires anyway; the session itself is already written or removed, so it does not fail.
  async #dropFromIndex(stored: SessionEntry, now: number): Promise<void> {
    if (stored.indexObject === null || !(stored.indexedUntil > now)) return
    const indexObject = stored.indexObject
    await bestEffort(() => this.#index(indexObject).dropFromIndex(stored.id))
  }

  // `deleteAll()` removes the alarm too only from compatibility date 2026-02-24 on.
  async #clear(): Promise<void> {
    await this.ctx.storage.deleteAlarm()
    await this.ctx.storage.deleteAll()
  }

  #serial<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#tail.then(task)
    this.#tail = run.catch(() => undefined)
    return run
  }

  #index(indexObject: string): IndexStub {
    const namespace = (this.#namespace ??= findOwnNamespace(this.env, this.ctx.id))
    return namespace.get(namespace.idFromString(indexObject))
  }
}

// A Durable Object namespace cannot cross Workers RPC, so the object finds its own binding in
// `env`: the one whose `idFromString` accepts this object's id, as only the namespace an id was
// made for does.
function findOwnNamespace(env: unknown, id: { toString(): string }): OwnNamespace {
  const ownId = id.toString()
  for (const value of Object.values(env as object)) {
    // The tag tells a namespace from RPC stubs, on which every property looks like a method.
    if (Object.prototype.toString.call(value) !== '[object DurableObjectNamespace]') continue
    const namespace = value as OwnNamespace
    try {
      if (namespace.idFromString(ownId).equals(id)) return namespace
    } catch {
      // An id of another namespace: not this one.
    }
  }
  throw new Error(
    'SessionDurableObject found no binding of its own class in env: ' +
      'bind it as a Durable Object namespace in the Worker that exports it',
  )
}

function checkSessionId(id: unknown): asserts id is string {
  if (!isSessionId(id))
    throw new TypeError('SessionDurableObject refuses an id that is not a session id')
}

async function bestEffort(task: () => Promise<unknown>): Promise<void> {
  try {
    await task()
  } catch {
    // See #dropFromIndex: a stale index entry is harmless.
  }
}
