import type {
  SessionVersion,
  SessionWrite,
  UserSession,
  VersionedSessionStore,
} from '@fetch-session/core'
import { MemoryStore } from '@fetch-session/core'

/**
 * A MemoryStore that counts its calls, to prove what the lifecycle rules say about laziness:
 * `get` counts reads, `set` writes and `delete` removals.
 */
export class CountingStore implements VersionedSessionStore {
  readonly inner = new MemoryStore()
  calls = { get: 0, set: 0, delete: 0 }
  /** Makes the next calls fail, as a store whose backend is down. */
  failing = false

  get total(): number {
    return this.calls.get + this.calls.set + this.calls.delete
  }

  reset(): void {
    this.calls = { get: 0, set: 0, delete: 0 }
  }

  async read(id: string) {
    this.calls.get++
    if (this.failing) throw new Error(`backend down while reading ${id}`)
    return this.inner.read(id)
  }

  async write(id: string, write: SessionWrite, expected: SessionVersion | null) {
    this.calls.set++
    if (this.failing) throw new Error(`backend down while writing ${id}`)
    return this.inner.write(id, write, expected)
  }

  async remove(id: string, expected?: SessionVersion) {
    this.calls.delete++
    if (this.failing) throw new Error(`backend down while deleting ${id}`)
    return this.inner.remove(id, expected)
  }

  async listByUser(userId: string): Promise<UserSession[]> {
    return this.inner.listByUser(userId)
  }
}
