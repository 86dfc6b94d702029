// The two contracts a server-side store can keep. The core owns ids, expiry rules, serialization
// and the merging of concurrent changes; a store keeps strings until a time and, in version 2,
// a version per record and optionally an index of records by user.

/**
 * The version 1 contract: a few Promise-returning methods keyed by session id. A store that
 * keeps only this one is used last-write-wins: when two requests of one browser overlap, the
 * later commit's record replaces the earlier one's, and a request in flight during a logout can
 * write the session back. Ids reaching a store always have the shape checked by `isSessionId`.
 */
export interface SessionStore {
  /**
   * Reads a record.
   * @param id the session id
   * @returns the string last given to `set`, or `null`/`undefined` when absent or expired
   */
  get(id: string): Promise<string | null | undefined>
  /**
   * Creates or replaces a record.
   * @param id the session id
   * @param record the serialized session, opaque to the store
   * @param expiresAt when the record may be forgotten, in milliseconds since the epoch
   */
  set(id: string, record: string, expiresAt: number): Promise<void>
  /**
   * Removes a record; removing an absent one is not an error.
   * @param id the session id
   */
  delete(id: string): Promise<void>
}

/**
 * A record's version: whatever the store uses to tell one write from the next (a counter, an
 * ETag, the stored string itself). The core only hands it back, and compares nothing itself.
 */
export type SessionVersion = string | number

/** A record as a version 2 store returns it. */
export interface StoredSession {
  /** The serialized session, exactly as written. */
  record: string
  /** The version of this record; changes on every write. */
  version: SessionVersion
}

/** A record of the user index, as `listByUser` returns it. */
export interface UserSession extends StoredSession {
  /** The session id the record is stored under. */
  id: string
}

/** What a version 2 store writes. */
export interface SessionWrite {
  /** The serialized session, opaque to the store. */
  record: string
  /** When the record (and its index entry) may be forgotten, in milliseconds since the epoch. */
  expiresAt: number
  /** The user the session is bound to, to index it under; `null` for none. */
  userId: string | null
}

/**
 * The version 2 contract: versioned records written with compare-and-set, so that parallel
 * requests of one browser, and several server instances, lose no change and cannot bring back
 * a session that was ended. Every method must be atomic with respect to the others on one id.
 * A store may keep the version 1 methods as well; the core uses these when `read`, `write` and
 * `remove` are all present.
 */
export interface VersionedSessionStore {
  /**
   * Reads a record with its version.
   * @param id the session id
   * @returns the record, or `null` when absent or expired
   */
  read(id: string): Promise<StoredSession | null>
  /**
   * Writes a record if the stored one is still at `expected` (compare-and-set). A conflict is a
   * result, not an error.
   * @param id the session id
   * @param write the record, its expiry and its user
   * @param expected the version read before, or `null` to create the record only if the id is
   *   free (no live record under it)
   * @returns the new version, or `null` when the stored record is not at `expected` (changed,
   *   removed, expired, or present when `expected` is `null`)
   */
  write(
    id: string,
    write: SessionWrite,
    expected: SessionVersion | null,
  ): Promise<SessionVersion | null>
  /**
   * Removes a record, and its entry in the user index.
   * @param id the session id
   * @param expected when given, remove only if the record is at this version
   * @returns whether a live record was removed (`false` when absent, expired or at another
   *   version)
   */
  remove(id: string, expected?: SessionVersion): Promise<boolean>
  /**
   * Optional: the user index. Lists the live records bound to a user (`SessionWrite.userId`),
   * in any order. Index entries expire with their records and go with `remove`. A store without
   * this method cannot list or end a user's sessions.
   * @param userId the user
   * @returns the user's records with their ids; `[]` for a user with none
   */
  listByUser?(userId: string): Promise<UserSession[]>
}

/** Tells a version 2 store from a version 1 one. */
export function isVersionedStore(store: object): store is VersionedSessionStore {
  const candidate = store as Partial<VersionedSessionStore>
  return (
    typeof candidate.read === 'function' &&
    typeof candidate.write === 'function' &&
    typeof candidate.remove === 'function'
  )
}
