import { describe, it, expect } from 'vitest'
import { MemoryStore } from './memory-store.ts'
import { SessionConfigError } from './errors.ts'
import { storeConformance } from './test-support/store-conformance.ts'

storeConformance('MemoryStore', () => new MemoryStore())

describe('MemoryStore', () => {
  it('keeps recently used sessions and drops those unused for a generation', async () => {
    const store = new MemoryStore({ maxSessions: 4 })
    const later = Date.now() + 60_000
    for (const id of ['a', 'b']) await store.set(id, id, later)
    // a and b are now the old generation; reading a brings it back to the young one.
    await store.set('c', 'c', later)
    expect(await store.get('a')).toBe('a')
    await store.set('d', 'd', later)
    // The young generation was full (c, a): it became the old one and b, unused, was dropped.
    expect(await store.get('b')).toBeNull()
    expect(await store.get('a')).toBe('a')
    expect(await store.get('c')).toBe('c')
    expect(await store.get('d')).toBe('d')
    expect(store.size).toBeLessThanOrEqual(4)
  })

  it('stays within maxSessions under a flood of new sessions', async () => {
    const store = new MemoryStore({ maxSessions: 100 })
    for (let i = 0; i < 10_000; i++) await store.set(`id${i}`, 'x', Date.now() + 60_000)
    expect(store.size).toBeLessThanOrEqual(100)
    expect(store.size).toBeGreaterThanOrEqual(50)
  })

  it('holds at most maxSessions whatever the mix of reads and writes', async () => {
    const store = new MemoryStore({ maxSessions: 7 })
    const later = Date.now() + 60_000
    for (let i = 0; i < 500; i++) {
      await store.set(`id${i % 37}`, 'x', later)
      await store.get(`id${(i * 7) % 37}`)
      expect(store.size).toBeLessThanOrEqual(7)
    }
  })

  it('sweeps expired entries', async () => {
    const store = new MemoryStore()
    await store.set('old', 'x', Date.now() + 20)
    await store.set('new', 'y', Date.now() + 60_000)
    await new Promise((resolve) => setTimeout(resolve, 40))
    expect(store.sweep()).toBe(1)
    expect(store.size).toBe(1)
  })

  it('keeps records whole, with any expiry time a caller may pass', async () => {
    const store = new MemoryStore()
    const record = '{"note":"é|\\u0000 ✓"}|mihq2k1s,mihq2k1s,mj3w7tds'
    await store.set('far', record, 8.64e15)
    await store.set('fraction', record, Date.now() + 60_000.5)
    await store.set('gone', record, Date.now() - 0.5)
    await store.set('nan', record, Number.NaN)
    expect(await store.get('far')).toBe(record)
    expect(await store.get('fraction')).toBe(record)
    expect(await store.get('gone')).toBeNull()
    expect(await store.get('nan')).toBeNull()
    expect(store.size).toBe(2)
  })

  it('refuses a maxSessions that is not a positive integer', () => {
    expect(() => new MemoryStore({ maxSessions: 1 })).toThrow(SessionConfigError)
    expect(() => new MemoryStore({ maxSessions: 1.5 })).toThrow(SessionConfigError)
  })
})
