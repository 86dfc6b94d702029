import type { PlanContext } from './commit-plan.ts'
import type { SessionState } from './session.ts'
import type { SessionCrypto } from './session-crypto.ts'
import type { SessionRecord } from './session-record.ts'
import type { SessionVersion } from './session-store.ts'

/** A live session as found from a cookie value or in the user index. */
export interface FoundSession {
  record: SessionRecord
  id: string
  /** When it ends, by its stored expiry and today's timeouts. */
  end: number
  /** The cookie was signed or sealed under an older secret: re-issue it. */
  stale: boolean
  version: SessionVersion | undefined
}

/** What a commit did, for the cookie. */
export interface SavedSession {
  /** Send `value` as the cookie (`set`), expire the cookie, or leave it. */
  cookie: 'set' | 'expire' | null
  value: string
}

/**
 * A way of keeping sessions: signed ids in a server-side store, or the whole session sealed in
 * the cookie. `Sessions` does the rest (options, the session API, headers) the same for both.
 */
export interface SessionKeeping {
  /** True when the record is the cookie. */
  readonly sealed: boolean
  /**
   * The live session a cookie value names, or `null` for a value that is forged, malformed,
   * unknown or expired.
   * @throws SessionStoreError when the store fails
   */
  find(value: string): Promise<FoundSession | null>
  /**
   * Commits a session: writes, removes and decides the cookie, updating the state to what is
   * now stored.
   * @throws SessionStoreError when the store fails or conflicts persist
   */
  save(state: SessionState, context: PlanContext): Promise<SavedSession>
  /** Switches to another implementation of the same cryptographic primitives. */
  useCrypto(provider: SessionCrypto): void
  /** The user's live sessions; absent where the store has no user index. */
  readonly listUser: ((userId: string) => Promise<FoundSession[]>) | undefined
  /** Ends the session stored under an id; resolves to whether it existed. */
  readonly end: ((id: string) => Promise<boolean>) | undefined
}

/** The outcome of a commit that changes nothing the browser holds. */
export const UNCHANGED: SavedSession = { cookie: null, value: '' }
