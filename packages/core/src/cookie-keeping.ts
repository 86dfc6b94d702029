import { markWritten, planCommit } from './commit-plan.ts'
import type { PlanContext } from './commit-plan.ts'
import { CookieSealer } from './cookie-sealing.ts'
import { MAX_COOKIE_SIZE } from './cookie-serialize.ts'
import { SessionTooLargeError } from './errors.ts'
import { recordEnd } from './session.ts'
import type { ExpiryPolicy, SessionState } from './session.ts'
import type { SessionCrypto } from './session-crypto.ts'
import { isSessionId } from './session-id.ts'
import type { FoundSession, SavedSession, SessionKeeping } from './session-keeping.ts'
import { UNCHANGED } from './session-keeping.ts'
import { parseRecord } from './session-record.ts'

/**
 * Sessions sealed (AES-256-GCM) whole in the cookie, for `CookieStore`: nothing is kept on the
 * server, so there is nothing to compare and set; the browser's last response wins.
 */
export class CookieKeeping implements SessionKeeping {
  readonly sealed = true
  readonly listUser = undefined
  readonly end = undefined
  readonly #sealer: CookieSealer
  readonly #policy: ExpiryPolicy
  readonly #nameBytes: number

  /**
   * @param sealer seals and opens values under the key ring
   * @param policy the expiry rules
   * @param cookieName the cookie's name, which counts towards the browser's size limit
   */
  constructor(sealer: CookieSealer, policy: ExpiryPolicy, cookieName: string) {
    this.#sealer = sealer
    this.#policy = policy
    this.#nameBytes = cookieName.length + 1
  }

  useCrypto(provider: SessionCrypto): void {
    this.#sealer.useCrypto(provider)
  }

  async find(value: string): Promise<FoundSession | null> {
    const opened = await this.#sealer.open(value)
    if (opened === null) return null
    const record = parseRecord(opened.plaintext)
    if (record === null || !isSessionId(record.id)) return null
    const end = recordEnd(record, this.#policy)
    if (end <= Date.now()) return null
    return { record, id: record.id, end, stale: opened.stale, version: undefined }
  }

  async save(state: SessionState, context: PlanContext): Promise<SavedSession> {
    const plan = planCommit(state, context, Date.now())
    if (plan.cookie === 'expire') {
      state.status = 'new'
      state.id = null
      state.storedId = null
      state.storedBody = null
      state.storedTail = null
      state.cookieValue = null
      return { cookie: 'expire', value: '' }
    }
    const { write } = plan
    if (write === null) return UNCHANGED
    const value = await this.#sealer.seal(write.record)
    const size = this.#nameBytes + value.length
    if (size > MAX_COOKIE_SIZE) throw new SessionTooLargeError(size, MAX_COOKIE_SIZE)
    markWritten(state, plan, value)
    return { cookie: 'set', value }
  }
}
