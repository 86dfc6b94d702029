import { describe, it, expect } from 'vitest'
import { MemoryStore } from './memory-store.ts'
import { SessionConfigError } from './errors.ts'
import { storeConformance } from './test-support/store-conformance.ts'

storeConformance('MemoryStore', () => new MemoryStore())

describe('MemoryStore', () => {
  it('drops the least recently used session at maxSessions', async () => {
    const store = new MemoryStore({ maxSessions: 3 })
    const later = Date.now() + 60_000
    for (const id of ['a', 'b', 'c']) await store.set(id, id, later)
    expect(await store.get('a')).toBe('a') // a is now the most recently used
    await store.set('d', 'd', later)
    expect(store.size).toBe(3)
    expect(await store.get('b')).toBeNull()
    expect(await store.get('a')).toBe('a')
    expect(await store.get('d')).toBe('d')
  })

  it('stays within maxSessions under a flood of new sessions', async () => {
    const store = new MemoryStore({ maxSessions: 100 })
    for (let i = 0; i < 10_000; i++) await store.set(`id${i}`, 'x', Date.now() + 60_000)
    expect(store.size).toBe(100)
  })

  it('sweeps expired entries', async () => {
    const store = new MemoryStore()
    await store.set('old', 'x', Date.now() + 20)
    await store.set('new', 'y', Date.now() + 60_000)
    await new Promise((resolve) => setTimeout(resolve, 40))
    expect(store.sweep()).toBe(1)
    expect(store.size).toBe(1)
  })

  it('refuses a maxSessions that is not a positive integer', () => {
    expect(() => new MemoryStore({ maxSessions: 0 })).toThrow(SessionConfigError)
    expect(() => new MemoryStore({ maxSessions: 1.5 })).toThrow(SessionConfigError)
  })
})
