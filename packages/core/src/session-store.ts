/**
 * What a server-side store implements: a few Promise-returning methods keyed by session id.
 * The core owns ids, expiry rules and serialization; a store only keeps a string until a time.
 * Ids reaching a store always have the shape checked by `isSessionId`.
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
