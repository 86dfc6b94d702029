import { assertJsonValue } from './json-value.ts'
import type { SessionState } from './session.ts'
import { emptyBag, parseRecord } from './session-record.ts'
import type { Bag, SessionRecord } from './session-record.ts'
import type { SessionVersion } from './session-store.ts'

/**
 * Rebases a session on a fresher record of the same id, written by another request since this
 * one read it, so that a compare-and-set can be tried again without losing either side:
 * - `update(key, fn)` runs `fn` again on the fresh value; `set` and `delete` overwrite their key
 *   only; `clear()` empties what the other request left too: its data, its flash values and the
 *   user it bound;
 * - a nested value this request mutated in place (found by comparing it with the value it read)
 *   counts as a `set` of its top-level key;
 * - keys this request did not touch keep the fresh values;
 * - flash values this request consumed stay consumed; those it set are kept for the next one;
 * - an expiry set with `setExpiry()` here wins; otherwise the fresh record's stands.
 * @param state the session, rebased in place
 * @param fresh the record as the store holds it now
 * @param version its version
 * @throws SessionDataError when a replayed `update` returns a value JSON cannot keep
 */
export function rebase(state: SessionState, fresh: SessionRecord, version: SessionVersion): void {
  // What this request read, to tell its own in-place mutations and consumed flash values apart.
  const read = state.storedBody === null ? null : parseRecord(state.storedBody + state.storedTail)
  const readData = read?.data ?? emptyBag()
  const data = fresh.data
  const logged = new Set<string>()
  let cleared = false
  for (const change of state.changes) {
    if (change.kind === 'clear') {
      for (const key of Object.keys(data)) delete data[key]
      cleared = true
      continue
    }
    logged.add(change.key)
    if (change.kind === 'set') data[change.key] = state.data[change.key] ?? change.value
    else if (change.kind === 'delete') delete data[change.key]
    else {
      const value = change.fn(Object.hasOwn(data, change.key) ? data[change.key] : undefined)
      assertJsonValue(value, change.key)
      data[change.key] = value
    }
  }
  // A `set` replays the value as it is now, which includes later in-place changes to it.
  for (const change of state.changes) {
    if (change.kind === 'set' && Object.hasOwn(state.data, change.key)) {
      data[change.key] = state.data[change.key]
    }
  }
  for (const key of new Set([...Object.keys(readData), ...Object.keys(state.data)])) {
    if (logged.has(key) || same(readData[key], state.data[key])) continue
    if (Object.hasOwn(state.data, key)) data[key] = state.data[key]
    else delete data[key]
  }

  state.data = data
  // Flash values the other request left for the next one go on, beside this request's own.
  if (!ownFlash.has(state)) ownFlash.set(state, state.flashOut)
  const own = ownFlash.get(state)
  const kept = cleared ? undefined : unconsumed(fresh.flash, read?.flash)
  state.flashOut = kept === undefined ? own : Object.assign(emptyBag(), kept, own)
  if (state.expiry === state.storedExpiry) state.expiry = fresh.expiry
  state.storedExpiry = fresh.expiry
  // A `login()` or a `clear()` here decides the user; otherwise the fresh record says who it
  // belongs to.
  if (!cleared && state.userId === (read?.userId ?? null)) state.userId = fresh.userId
  state.createdAt = fresh.createdAt
  state.touchedAt = fresh.touchedAt
  state.expiresAt = fresh.expiresAt
  state.activeAt = fresh.activeAt
  state.version = version
  state.storedBody = fresh.body
  state.storedTail = fresh.tail
}

// This request's own flash values, as they were before the first rebase added others.
const ownFlash = new WeakMap<SessionState, Bag | undefined>()

// The fresh record's flash values less those this request read (and so consumed); a value the
// other request set under the same key since is new, and kept.
function unconsumed(fresh: Bag | undefined, consumed: Bag | undefined): Bag | undefined {
  if (fresh === undefined || consumed === undefined) return fresh
  let left: Bag | undefined
  for (const key of Object.keys(fresh)) {
    if (Object.hasOwn(consumed, key) && same(fresh[key], consumed[key])) continue
    ;(left ??= emptyBag())[key] = fresh[key]
  }
  return left
}

function same(a: unknown, b: unknown): boolean {
  return a === b || JSON.stringify(a) === JSON.stringify(b)
}
