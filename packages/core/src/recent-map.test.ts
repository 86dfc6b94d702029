import { describe, expect, it } from 'vitest'
import { RecentMap } from './recent-map.ts'

describe('RecentMap', () => {
  it.each([0, 1, 2, 3, 10, 1000])('never holds more than a limit of %i', (limit) => {
    const map = new RecentMap<string, number>(limit)
    for (let i = 0; i < 5000; i++) {
      map.set(`k${i}`, i)
      expect(map.size).toBeLessThanOrEqual(limit)
    }
    // It still holds about what it may: the newest entries.
    expect(map.size).toBeGreaterThanOrEqual(Math.floor(limit / 2))
    if (limit > 0) expect(map.get('k4999')).toBe(4999)
  })

  it('keeps what was used lately and forgets what nobody used for a generation', () => {
    const map = new RecentMap<string, string>(4)
    map.set('a', 'A')
    map.set('b', 'B')
    // a and b become the old generation; reading a brings it back.
    map.set('c', 'C')
    expect(map.get('a')).toBe('A')
    // The young generation (c, a) is full: it becomes the old one, and b is dropped.
    map.set('d', 'D')
    expect(map.has('b')).toBe(false)
    expect(map.get('b')).toBeUndefined()
    expect([map.get('a'), map.get('c'), map.get('d')]).toEqual(['A', 'C', 'D'])
  })

  it('replaces a value in place and forgets a deleted key', () => {
    const map = new RecentMap<string, number>(10)
    map.set('a', 1)
    map.set('a', 2)
    expect(map.size).toBe(1)
    expect(map.get('a')).toBe(2)
    map.delete('a')
    expect(map.has('a')).toBe(false)
    expect(map.size).toBe(0)
  })
})
