import type { SessionWrite } from '@fetch-session/core'

/**
 * Checks what a store is asked to write, on both sides of the RPC boundary: in the Worker before
 * any request to an object, and in the object, whose methods any code of the Worker can call.
 * Messages name the field, never its value.
 * @param write the write to check
 * @returns a copy holding only the three fields, ready to cross Workers RPC
 * @throws TypeError for a field of the wrong type
 */
export function checkSessionWrite(write: SessionWrite): SessionWrite {
  if (typeof write !== 'object' || write === null) {
    throw new TypeError('A session write must be an object')
  }
  const { record, expiresAt, userId } = write
  if (typeof record !== 'string') throw new TypeError('A session write needs a string `record`')
  if (typeof expiresAt !== 'number' || !Number.isFinite(expiresAt)) {
    throw new TypeError('A session write needs a finite `expiresAt` in milliseconds')
  }
  checkUserId(userId, true)
  return { record, expiresAt, userId }
}

/**
 * Checks a user id: a non-empty string (or `null` where a session may be bound to no user).
 * @param userId the candidate
 * @param nullable whether `null` is accepted
 * @throws TypeError otherwise
 */
export function checkUserId(userId: unknown, nullable = false): void {
  if (userId === null && nullable) return
  if (typeof userId !== 'string' || userId.length === 0) {
    throw new TypeError('A user id must be a non-empty string')
  }
}
