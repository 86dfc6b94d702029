import { SessionConfigError } from './errors.ts'
import type { SessionStore } from './session-store.ts'

/** Options of `MemoryStore`. */
export interface MemoryStoreOptions {
  /**
   * The most sessions kept at once; past it, the least recently used one is dropped, so a flood
   * of new visitors cannot exhaust memory. Default: 10000.
   */
  maxSessions?: number
}

interface Entry {
  record: string
  expiresAt: number
}

/**
 * A store in the process's memory: for development, tests and single-process servers. Sessions
 * are lost on restart and not shared between processes or isolates.
 *
 * Bounded and expiry-aware: expired entries are never returned and are swept as new ones come
 * in; at `maxSessions` the least recently used session is dropped.
 */
export class MemoryStore implements SessionStore {
  /** The resolved bound on the number of sessions. */
  readonly maxSessions: number
  // A Map iterates in insertion order; re-inserting on every access keeps it in LRU order, so
  // the first key is always the least recently used.
  readonly #entries = new Map<string, Entry>()

  /** @param options see `MemoryStoreOptions` */
  constructor(options: MemoryStoreOptions = {}) {
    const max = options.maxSessions ?? 10_000
    if (!Number.isInteger(max) || max < 1) {
      throw new SessionConfigError('MemoryStore `maxSessions` must be a positive integer')
    }
    this.maxSessions = max
  }

  /** How many sessions are held, expired ones not yet swept included. */
  get size(): number {
    return this.#entries.size
  }

  async get(id: string): Promise<string | null> {
    const entry = this.#entries.get(id)
    if (entry === undefined) return null
    this.#entries.delete(id)
    if (entry.expiresAt <= Date.now()) return null
    this.#entries.set(id, entry)
    return entry.record
  }

  async set(id: string, record: string, expiresAt: number): Promise<void> {
    const entries = this.#entries
    entries.delete(id)
    if (expiresAt <= Date.now()) return
    this.#sweepOldest(2)
    if (entries.size >= this.maxSessions) entries.delete(entries.keys().next().value!)
    entries.set(id, { record, expiresAt })
  }

  async delete(id: string): Promise<void> {
    this.#entries.delete(id)
  }

  /**
   * Removes every expired entry now. Not needed for correctness; a long-running server may call
   * it on a timer to return memory sooner.
   * @returns how many entries were removed
   */
  sweep(): number {
    const now = Date.now()
    let removed = 0
    for (const [id, entry] of this.#entries) {
      if (entry.expiresAt <= now) {
        this.#entries.delete(id)
        removed++
      }
    }
    return removed
  }

  // The least recently used entries are the likeliest to have expired; checking a couple on
  // each write reclaims them at a constant cost per request.
  #sweepOldest(count: number): void {
    const now = Date.now()
    for (const [id, entry] of this.#entries) {
      if (count-- <= 0 || entry.expiresAt > now) return
      this.#entries.delete(id)
    }
  }
}
