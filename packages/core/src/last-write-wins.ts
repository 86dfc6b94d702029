import type {
  SessionStore,
  SessionVersion,
  SessionWrite,
  StoredSession,
  VersionedSessionStore,
} from './session-store.ts'

/**
 * A version 1 store seen through the version 2 contract: last-write-wins. Every write and
 * removal succeeds, so two requests of one session that overlap keep only the later one's
 * changes. The stored string stands in for the version, which nothing here compares.
 */
export class LastWriteWins implements VersionedSessionStore {
  readonly #store: SessionStore

  /** @param store the version 1 store */
  constructor(store: SessionStore) {
    this.#store = store
  }

  async read(id: string): Promise<StoredSession | null> {
    const record = await this.#store.get(id)
    return typeof record === 'string' ? { record, version: record } : null
  }

  async write(id: string, write: SessionWrite): Promise<SessionVersion> {
    await this.#store.set(id, write.record, write.expiresAt)
    return write.record
  }

  async remove(id: string): Promise<boolean> {
    await this.#store.delete(id)
    return true
  }
}
