// A MemoryStore that fails on demand, with errors that name the session id, as a careless
// store's would: the adapters must never pass that message on.
import { MemoryStore } from '@fetch-session/core'

export class FailingStore extends MemoryStore {
  failGet = false
  failSet = false

  override async get(id: string): Promise<string | null> {
    if (this.failGet) throw new Error(`store down while reading ${id}`)
    return super.get(id)
  }

  override async set(id: string, record: string, expiresAt: number): Promise<void> {
    if (this.failSet) throw new Error(`store down while writing ${id}`)
    return super.set(id, record, expiresAt)
  }
}
