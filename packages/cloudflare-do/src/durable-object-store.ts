import { SessionConfigError, isSessionId } from '@fetch-session/core'
import type {
  SessionVersion,
  SessionWrite,
  StoredSession,
  UserSession,
  VersionedSessionStore,
} from '@fetch-session/core'
import type { DurableObjectNamespaceLike, SessionObjectStub } from './durable-object-namespace.ts'
import { checkSessionWrite, checkUserId } from './session-write-check.ts'

// The names of the two kinds of objects; a user id never makes the name of a session's object.
const SESSION_OBJECT = 'session:'
const USER_OBJECT = 'user:'

/**
 * A session store over the Durable Object namespace bound to `SessionDurableObject`, keeping the
 * core's version 2 contract: strongly consistent, compare-and-set, a user index, and expiry by
 * alarms.
 * - Each session lives in an object of its own (named after its id), which compares and sets
 *   inside the object, one write at a time over transactional storage.
 * - Each user's object holds the index of that user's sessions, each entry with its expiry. A
 *   session's object enters itself in the index before it writes, and drops its entry when it
 *   is removed; a listing asks every listed session's object again, so that it never lists a
 *   session that was removed, expired or bound to someone else.
 * - Every object sets an alarm for when what it holds expires, and deletes it then.
 *
 * Every call is one Workers RPC call to one object, except `listByUser`: one to the user's
 * object, then one per listed session, in parallel.
 * @see https://developers.cloudflare.com/durable-objects/
 */
export class DurableObjectStore implements VersionedSessionStore {
  readonly #namespace: DurableObjectNamespaceLike

  /**
   * @param namespace the Durable Object namespace bound to `SessionDurableObject`, such as
   *   `env.SESSIONS`
   * @throws SessionConfigError for a namespace without the needed methods
   */
  constructor(namespace: DurableObjectNamespaceLike) {
    for (const method of ['idFromName', 'get'] as const) {
      if (
        typeof (namespace as Partial<DurableObjectNamespaceLike> | null)?.[method] !== 'function'
      ) {
        throw new SessionConfigError(
          'DurableObjectStore needs the Durable Object namespace bound to SessionDurableObject ' +
            `(such as \`env.SESSIONS\`): \`${method}\` is not a function`,
        )
      }
    }
    this.#namespace = namespace
  }

  /**
   * Reads a session: one call to its object.
   * @param id the session id; anything but a session id reads as absent
   * @returns the record with its version, or `null` when absent or expired
   */
  async read(id: string): Promise<StoredSession | null> {
    if (!isSessionId(id)) return null
    return this.#session(id).read(id)
  }

  /**
   * Writes a session with compare-and-set inside its object: one call to it, and, when the
   * session is bound to a user and outlives its index entry, one from it to the user's object.
   * @param id the session id
   * @param write the record, its expiry and its user
   * @param expected the version read before, or `null` to create the session only if absent
   * @returns the new version, or `null` on a conflict
   * @throws TypeError for an id that is not a session id or a malformed write
   */
  async write(
    id: string,
    write: SessionWrite,
    expected: SessionVersion | null,
  ): Promise<SessionVersion | null> {
    if (!isSessionId(id)) {
      throw new TypeError('DurableObjectStore refuses an id that is not a session id')
    }
    const checked = checkSessionWrite(write)
    const indexObject = checked.userId === null ? null : this.#userObjectId(checked.userId)
    return this.#session(id).write(id, checked, expected, indexObject)
  }

  /**
   * Removes a session and its entry in the user index: one call to its object, and one from it
   * to the user's object when the session was bound to a user.
   * @param id the session id; anything but a session id is absent
   * @param expected when given, remove only if the session is at this version
   * @returns whether a live session was removed
   */
  async remove(id: string, expected?: SessionVersion): Promise<boolean> {
    if (!isSessionId(id)) return false
    return this.#session(id).remove(id, expected)
  }

  /**
   * Lists the live sessions of a user: one call to the user's object, then one to each listed
   * session's object, which answers only if the session is live and still the user's.
   * @param userId the user
   * @returns the user's sessions with their ids, in no particular order
   * @throws TypeError for a user id that is not a non-empty string
   */
  async listByUser(userId: string): Promise<UserSession[]> {
    checkUserId(userId)
    const indexId = this.#namespace.idFromName(USER_OBJECT + userId)
    const ids = await this.#namespace.get(indexId).listIndex()
    const indexObject = indexId.toString()
    const sessions = await Promise.all(
      ids.filter(isSessionId).map(async (id): Promise<UserSession | null> => {
        const stored = await this.#session(id).readForUser(id, userId, indexObject)
        return stored === null ? null : { id, record: stored.record, version: stored.version }
      }),
    )
    return sessions.filter((session) => session !== null)
  }

  #session(id: string): SessionObjectStub {
    return this.#namespace.get(this.#namespace.idFromName(SESSION_OBJECT + id))
  }

  #userObjectId(userId: string): string {
    return this.#namespace.idFromName(USER_OBJECT + userId).toString()
  }
}
