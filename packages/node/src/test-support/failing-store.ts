// A MemoryStore that fails on demand, with errors that name the session id, as a careless
// store's would: the adapters must never pass that message on.
import { MemoryStore } from '@fetch-session/core'
import type { SessionVersion, SessionWrite, StoredSession } from '@fetch-session/core'

export class FailingStore extends MemoryStore {
  failGet = false
  failSet = false

  override async read(id: string): Promise<StoredSession | null> {
    if (this.failGet) throw new Error(`store down while reading ${id}`)
    return super.read(id)
  }

  override async write(
    id: string,
    write: SessionWrite,
    expected: SessionVersion | null,
  ): Promise<SessionVersion | null> {
    if (this.failSet) throw new Error(`store down while writing ${id}`)
    return super.write(id, write, expected)
  }
}
