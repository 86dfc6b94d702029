import type { SessionStore } from '../session-store.ts'
import { MemoryStore } from '../memory-store.ts'

/** A MemoryStore that counts its calls, to prove what the lifecycle rules say about laziness. */
export class CountingStore implements SessionStore {
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

  async get(id: string) {
    this.calls.get++
    if (this.failing) throw new Error(`backend down while reading ${id}`)
    return this.inner.get(id)
  }

  async set(id: string, record: string, expiresAt: number) {
    this.calls.set++
    if (this.failing) throw new Error(`backend down while writing ${id}`)
    return this.inner.set(id, record, expiresAt)
  }

  async delete(id: string) {
    this.calls.delete++
    if (this.failing) throw new Error(`backend down while deleting ${id}`)
    return this.inner.delete(id)
  }
}
