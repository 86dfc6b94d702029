import type { SessionVersion, SessionWrite } from '@fetch-session/core'
import { MemoryStore } from '@fetch-session/core'

/**
 * A MemoryStore whose writes can be made to wait until a handler has written on the response
 * itself: that write then happens while the commit is in flight, every time, without a timer
 * that a busy machine could reorder.
 */
export class GatedStore extends MemoryStore {
  #gate: Promise<void> = Promise.resolve()
  /** Makes writes fail, as a store whose backend is down. */
  failing = false

  /**
   * Runs `write` a moment from now (after the handler has returned) and holds every store
   * write until it has run.
   * @param write what the handler writes on the response itself
   */
  whileCommitting(write: () => void): void {
    let written!: () => void
    this.#gate = new Promise((resolve) => (written = resolve))
    setTimeout(() => {
      try {
        write()
      } finally {
        written()
      }
    }, 1)
  }

  /** Lets writes through at once again, and stop failing. */
  reset(): void {
    this.#gate = Promise.resolve()
    this.failing = false
  }

  override async write(id: string, entry: SessionWrite, expected: SessionVersion | null) {
    await this.#gate
    if (this.failing) throw new Error('backend down')
    return super.write(id, entry, expected)
  }
}
