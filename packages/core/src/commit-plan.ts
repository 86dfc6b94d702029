import { computeExpiry, isBlank } from './session.ts'
import type { ExpiryPolicy, SessionState } from './session.ts'
import { serializeBody, serializeRecord } from './session-record.ts'
import type { ExpiryOverride } from './session-record.ts'

/** What committing a session must do, decided from its state alone. */
export interface CommitPlan {
  /**
   * The record to write under `id`, or `null` when the store keeps what it has. `create` is
   * true when the id is not stored yet (a new session, or the new id of a moved one).
   */
  write: {
    id: string
    body: string
    record: string
    tail: string
    expiresAt: number
    create: boolean
  } | null
  /**
   * Whether the record under `storedId` goes: `checked` only if it is still at the version this
   * request read (emptied by `clear()`, or moved to a new id), `final` whatever it holds now
   * (`destroy()`).
   */
  remove: 'checked' | 'final' | null
  /** The cookie to send: a new value or lifetime (`set`), an expired one, or none. */
  cookie: 'set' | 'expire' | null
  /** The session's times once the plan is carried out. */
  touchedAt: number
  expiresAt: number
  activeAt: number
}

/** How the sessions are kept, as far as planning a commit needs to know. */
export interface PlanContext {
  policy: ExpiryPolicy
  /** The record is sealed in the cookie, so it carries its id and every change re-sends it. */
  sealed: boolean
  /** The cookie carries no Max-Age (`browserSession`). */
  browserSession: boolean
  /** Makes an id for a session that has none yet. */
  newId: () => string
}

/**
 * Decides what a commit writes, removes and sends. Pure but for drawing a new session's id
 * (which the state keeps, so a retried plan writes under the same one).
 * @param state the session
 * @param context the rules of the `Sessions` object
 * @param now the time of the commit
 * @returns the plan, which the store's side carries out
 */
export function planCommit(state: SessionState, context: PlanContext, now: number): CommitPlan {
  const { touchedAt, expiresAt, activeAt, status, storedId } = state
  if (isBlank(state)) {
    // An emptied or destroyed session is removed and its cookie expired (as `destroy()`); one
    // never stored has neither.
    if (storedId === null) return nothing(state)
    return {
      write: null,
      remove: status === 'ended' ? 'final' : 'checked',
      cookie: 'expire',
      touchedAt,
      expiresAt,
      activeAt,
    }
  }

  const { policy } = context
  const expiry = state.expiry
  const body = serializeBody(state.data, state.flashOut, expiry, state.userId)
  const create = status !== 'stored'
  const changed = create || body !== state.storedBody
  // Activity extends the session on the server: every change, which is written anyway, and
  // with `rolling` a request that only reads, once touchInterval has passed. The cookie's
  // Max-Age is refreshed ("touched") at most once per touchInterval (on changes, and on reads
  // when rolling), so that a busy session costs one Set-Cookie per interval, not one per request;
  // a sealed cookie, which every change re-sends anyway, is touched with each of them.
  const due = now - touchedAt >= policy.touchInterval * 1000
  const overridden = !sameExpiry(expiry, state.storedExpiry)
  const refresh =
    create ||
    overridden ||
    (context.sealed && changed) ||
    (due && (changed || policy.rolling) && expiry?.kind !== 'date')
  if (!changed && !refresh && !state.stale) return nothing(state)

  const touched = refresh ? now : touchedAt
  const active = refresh || changed ? now : activeAt
  const expires = refresh || changed ? computeExpiry(state, now) : expiresAt
  const id = (state.id ??= context.newId())
  const record = serializeRecord(
    body,
    state.createdAt,
    touched,
    expires,
    context.sealed ? id : undefined,
    active,
    state.storedTail,
  )
  const persistent = !context.browserSession && expiry?.kind !== 'browser'
  // A new value, or the same value with a new lifetime (the cookie got its lifetime when last
  // touched); never the same cookie twice.
  const newValue = context.sealed ? changed || refresh : create || state.stale
  const newLifetime =
    overridden || (persistent && refresh && expires !== computeExpiry(state, touchedAt))
  return {
    write:
      changed || refresh || context.sealed
        ? { id, body, record, tail: record.slice(body.length), expiresAt: expires, create }
        : null,
    remove: storedId === null ? null : status === 'ended' ? 'final' : create ? 'checked' : null,
    cookie: newValue || newLifetime || state.stale ? 'set' : null,
    touchedAt: touched,
    expiresAt: expires,
    activeAt: active,
  }
}

function nothing(state: SessionState): CommitPlan {
  const { touchedAt, expiresAt, activeAt } = state
  return { write: null, remove: null, cookie: null, touchedAt, expiresAt, activeAt }
}

function sameExpiry(a: ExpiryOverride | undefined, b: ExpiryOverride | undefined): boolean {
  if (a === undefined || b === undefined) return a === b
  if (a.kind === 'idle') return b.kind === 'idle' && a.seconds === b.seconds
  if (a.kind === 'date') return b.kind === 'date' && a.at === b.at
  return b.kind === 'browser'
}

/**
 * Brings the state in line with what a carried-out plan wrote, whichever way the session is
 * kept; a store's version is the caller's to set.
 * @param state the session's state
 * @param plan the plan, whose `write` was carried out
 * @param cookieValue the cookie value that now stands for the session
 */
export function markWritten(state: SessionState, plan: CommitPlan, cookieValue: string): void {
  const write = plan.write!
  // A regenerate() or destroy() called while this commit was in flight is for the next one.
  state.status = state.id === write.id ? 'stored' : state.id === null ? 'ended' : 'moved'
  state.storedId = write.id
  state.storedBody = write.body
  state.storedTail = write.tail
  state.storedExpiry = state.expiry
  state.touchedAt = plan.touchedAt
  state.expiresAt = plan.expiresAt
  state.activeAt = plan.activeAt
  state.changes = []
  state.cookieValue = cookieValue
  state.stale = false
}
