import { markWritten, planCommit } from './commit-plan.ts'
import type { CommitPlan, PlanContext } from './commit-plan.ts'
import { sign, unsign } from './cookie-signing.ts'
import type { Unsigned } from './cookie-signing.ts'
import { SessionStoreError } from './errors.ts'
import type { SessionStoreOperation } from './errors.ts'
import { LastWriteWins } from './last-write-wins.ts'
import { MemoryStore } from './memory-store.ts'
import { RecentMap } from './recent-map.ts'
import { recordEnd } from './session.ts'
import type { ExpiryPolicy, SessionState } from './session.ts'
import type { SessionCrypto } from './session-crypto.ts'
import { isSessionId } from './session-id.ts'
import type { FoundSession, SavedSession, SessionKeeping } from './session-keeping.ts'
import { UNCHANGED } from './session-keeping.ts'
import { emptyBag, parseRecord } from './session-record.ts'
import { rebase } from './session-replay.ts'
import { isVersionedStore } from './session-store.ts'
import type {
  SessionStore,
  SessionVersion,
  StoredSession,
  UserSession,
  VersionedSessionStore,
} from './session-store.ts'

// Verified cookie strings, so a browser resending the same cookie costs no HMAC. Only strings
// that passed verification enter; the bound keeps a flood of distinct valid cookies in check.
const VERIFIED_CACHE_SIZE = 10_000

// Ids this process moved to a new id lately (regenerate, login), so that a late request on the old
// id, finding it gone, leaves alone the cookie the move sent instead of expiring it.
const MOVED_MEMORY = 1000

// Commits of one session are queued within a process, so a conflict can only come from another
// process; this many attempts is far more than two instances serving one browser ever need.
const MAX_ATTEMPTS = 32

/**
 * Sessions kept in a server-side store under ids signed into the cookie. Commits are
 * compare-and-set: on a conflict the record is read again, this request's changes replayed on
 * it (see `rebase`), and the write tried again.
 */
export class StoreKeeping implements SessionKeeping {
  readonly sealed = false
  readonly #store: VersionedSessionStore
  readonly #secrets: readonly string[]
  #crypto: SessionCrypto
  readonly #policy: ExpiryPolicy
  readonly #timeout: number | null
  readonly #verified = new RecentMap<string, Unsigned>(VERIFIED_CACHE_SIZE)
  /** The tail of the queue of commits of each stored id that has commits in flight. */
  readonly #queue = new Map<string, Promise<unknown>>()
  readonly #moved = new RecentMap<string, true>(MOVED_MEMORY)
  readonly listUser: ((userId: string) => Promise<FoundSession[]>) | undefined
  readonly end: ((id: string) => Promise<boolean>) | undefined

  /**
   * @param store a store of either contract
   * @param secrets the key ring, current secret first
   * @param crypto the HMAC implementation
   * @param policy the expiry rules
   * @param timeout milliseconds a store call may take
   */
  constructor(
    store: SessionStore | VersionedSessionStore,
    secrets: readonly string[],
    crypto: SessionCrypto,
    policy: ExpiryPolicy,
    timeout: number,
  ) {
    const versioned: VersionedSessionStore = isVersionedStore(store)
      ? store
      : new LastWriteWins(store as SessionStore)
    this.#store = versioned
    this.#secrets = secrets
    this.#crypto = crypto
    this.#policy = policy
    // An in-process MemoryStore answers at once or throws; it needs no timer per call.
    this.#timeout = store instanceof MemoryStore ? null : timeout
    const listByUser = versioned.listByUser
    this.listUser =
      listByUser === undefined
        ? undefined
        : async (userId) => {
            const entries: UserSession[] = await this.#call('list', () =>
              listByUser.call(versioned, userId),
            )
            const now = Date.now()
            const found: FoundSession[] = []
            for (const entry of entries) {
              const live = this.#alive(entry, entry.id, false, now)
              if (live !== null && live.record.userId === userId) found.push(live)
            }
            return found
          }
    this.end =
      listByUser === undefined
        ? undefined
        : (id) => this.#call('remove', () => versioned.remove(id))
  }

  useCrypto(provider: SessionCrypto): void {
    this.#crypto = provider
  }

  find(value: string): Promise<FoundSession | null> {
    const unsigned = this.#verified.get(value)
    // A cookie seen before costs no HMAC, and no async step of its own.
    return unsigned === undefined ? this.#verify(value) : this.#read(unsigned)
  }

  async #verify(value: string): Promise<FoundSession | null> {
    const verified = await unsign(value, this.#secrets, this.#crypto)
    if (verified === null || !isSessionId(verified.value)) return null
    this.#verified.set(value, verified)
    return this.#read(verified)
  }

  #read(unsigned: Unsigned): Promise<FoundSession | null> {
    const id = unsigned.value
    const store = this.#store
    const stale = unsigned.secretIndex > 0
    return this.#call('read', () => store.read(id)).then((stored) =>
      this.#alive(stored, id, stale, Date.now()),
    )
  }

  async save(state: SessionState, context: PlanContext): Promise<SavedSession> {
    const plan = planCommit(state, context, Date.now())
    if (plan.write === null && plan.remove === null) {
      // Nothing to store; a cookie signed under an older secret is still re-issued.
      return plan.cookie === 'set' ? { cookie: 'set', value: await this.#signed(state) } : UNCHANGED
    }
    const key = state.storedId
    if (key === null) return await this.#carry(state, context, plan)
    // Queued behind the commits of the same session in flight in this process. A commit that
    // follows another replans on what that one left, so it waits whichever way that one ended
    // (its own caller sees its failure).
    const queue = this.#queue
    const previous = queue.get(key)
    const run =
      previous === undefined
        ? this.#carry(state, context, plan)
        : previous.then(
            () => this.#carry(state, context, null),
            () => this.#carry(state, context, null),
          )
    queue.set(key, run)
    try {
      return await run
    } finally {
      if (queue.get(key) === run) queue.delete(key)
    }
  }

  // Carries out the plan with compare-and-set, replanning after each conflict.
  async #carry(
    state: SessionState,
    context: PlanContext,
    first: CommitPlan | null,
  ): Promise<SavedSession> {
    const store = this.#store
    // The record this commit created under a new id, once it has: its id and version.
    let createdId: string | null = null
    let created: SessionVersion | null = null
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const plan = first ?? planCommit(state, context, Date.now())
      first = null
      const { write, remove } = plan
      if (write === null && createdId !== null) {
        // A replay emptied the session after this commit had created its new record.
        const id = createdId
        await this.#call('remove', () => store.remove(id))
        createdId = null
        created = null
      }
      if (write === null && remove === null) {
        return plan.cookie === 'set'
          ? { cookie: 'set', value: await this.#signed(state) }
          : UNCHANGED
      }
      const storedId = state.storedId
      let version = state.version
      let conflict = false
      if (write !== null) {
        const expected: SessionVersion | null = write.create ? created : (state.version ?? null)
        const entry = { record: write.record, expiresAt: write.expiresAt, userId: state.userId }
        const written: SessionVersion | null = await this.#call('write', () =>
          store.write(write.id, entry, expected),
        )
        if (written === null) conflict = true
        else {
          version = written
          if (write.create) {
            createdId = write.id
            created = written
          }
        }
      }
      if (!conflict && remove !== null && storedId !== null) {
        const expected = remove === 'checked' ? state.version : undefined
        const removed = await this.#call('remove', () => store.remove(storedId, expected))
        if (!removed && remove === 'checked') conflict = true
      }
      if (!conflict) return await this.#settle(state, plan, version)

      if (storedId === null) {
        // A new id that is somehow taken: draw another.
        state.id = null
        continue
      }
      const fresh = this.#alive(
        await this.#call('read', () => store.read(storedId)),
        storedId,
        false,
        Date.now(),
      )
      if (fresh === null) {
        // Ended meanwhile (logout, an ended device, expiry): it stays ended, also under the new
        // id this commit may have created.
        if (createdId !== null) {
          const id = createdId
          await this.#call('remove', () => store.remove(id))
        }
        const moved = this.#moved.has(storedId)
        const ended = this.#ended(state)
        return moved ? UNCHANGED : ended
      }
      rebase(state, fresh.record, fresh.version!)
      // The first conflict is expected after a queued commit; later ones back off a little,
      // at random, so two instances do not keep colliding in step.
      if (attempt > 0) await pause(Math.random() * Math.min(2 ** attempt, 50))
    }
    throw new SessionStoreError('write', undefined, 'conflict')
  }

  // The plan was carried out: the state now matches the store. Synchronous unless a cookie
  // value must be signed (a new or moved id, or an older secret's signature).
  #settle(
    state: SessionState,
    plan: CommitPlan,
    version: SessionVersion | undefined,
  ): SavedSession | Promise<SavedSession> {
    const { write } = plan
    if (write === null) {
      // Emptied or destroyed, and removed.
      forget(state)
      return { cookie: 'expire', value: '' }
    }
    if (write.create && plan.remove === 'checked' && state.storedId !== null) {
      this.#moved.set(state.storedId, true)
    }
    if (write.create || state.stale || state.cookieValue === null) {
      return sign(write.id, this.#secrets[0]!, this.#crypto).then((value) =>
        this.#settled(state, plan, version, value),
      )
    }
    return this.#settled(state, plan, version, state.cookieValue)
  }

  #settled(
    state: SessionState,
    plan: CommitPlan,
    version: SessionVersion | undefined,
    value: string,
  ): SavedSession {
    markWritten(state, plan, value)
    state.version = version
    return plan.cookie === 'set' ? { cookie: 'set', value } : UNCHANGED
  }

  #ended(state: SessionState): SavedSession {
    state.data = emptyBag()
    state.flashOut = undefined
    state.userId = null
    forget(state)
    return { cookie: 'expire', value: '' }
  }

  async #signed(state: SessionState): Promise<string> {
    const value = await sign(state.id!, this.#secrets[0]!, this.#crypto)
    state.cookieValue = value
    state.stale = false
    return value
  }

  // The record as a live session, or `null` when absent, unreadable or past its end.
  #alive(
    stored: StoredSession | null | undefined,
    id: string,
    stale: boolean,
    now: number,
  ): FoundSession | null {
    if (stored === null || stored === undefined) return null
    const record = parseRecord(stored.record)
    if (record === null) return null
    const end = recordEnd(record, this.#policy)
    if (end <= now) return null
    return { record, id, end, stale, version: stored.version }
  }

  // A store call, bounded in time, whose failure becomes a SessionStoreError.
  #call<T>(operation: SessionStoreOperation, call: () => Promise<T>): Promise<T> {
    // An in-process MemoryStore answers at once: no timer, and no async step of its own.
    if (this.#timeout === null) {
      try {
        return call().then(undefined, (error: unknown) => {
          throw storeError(operation, error)
        })
      } catch (error) {
        return Promise.reject(storeError(operation, error))
      }
    }
    return this.#bounded(operation, call, this.#timeout)
  }

  async #bounded<T>(
    operation: SessionStoreOperation,
    call: () => Promise<T>,
    timeout: number,
  ): Promise<T> {
    try {
      let timer: ReturnType<typeof setTimeout> | undefined
      const expired = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new SessionStoreError(operation, undefined, 'timeout')),
          timeout,
        )
      })
      try {
        return await Promise.race([call(), expired])
      } finally {
        clearTimeout(timer)
      }
    } catch (error) {
      throw storeError(operation, error)
    }
  }
}

function storeError(operation: SessionStoreOperation, error: unknown): SessionStoreError {
  return error instanceof SessionStoreError ? error : new SessionStoreError(operation, error)
}

// The session is no longer stored: a later commit of the same object starts a new one.
function forget(state: SessionState): void {
  state.status = 'new'
  state.id = null
  state.storedId = null
  state.version = undefined
  state.storedBody = null
  state.storedTail = null
  state.changes = []
  state.cookieValue = null
  state.stale = false
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}
