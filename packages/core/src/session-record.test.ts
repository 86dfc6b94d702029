import { describe, it, expect } from 'vitest'
import { parseRecord, serializeBody, serializeRecord } from './session-record.ts'

describe('serializeRecord / parseRecord', () => {
  it('round-trips a record and keeps its body for change detection', () => {
    const data = Object.assign(Object.create(null), { cart: ['apple'], n: 1 })
    const body = serializeBody(data, { message: 'hi' }, { kind: 'idle', seconds: 60 }, null)
    const text = serializeRecord(body, 1, 2, 3, 'A'.repeat(32))
    const record = parseRecord(text)!
    expect(record.body).toBe(body)
    expect({ ...record.data }).toEqual({ cart: ['apple'], n: 1 })
    expect({ ...record.flash }).toEqual({ message: 'hi' })
    expect(record).toMatchObject({ createdAt: 1, touchedAt: 2, expiresAt: 3, id: 'A'.repeat(32) })
    expect(record.expiry).toEqual({ kind: 'idle', seconds: 60 })
  })

  it('writes a session of plain data as its JSON and three base-36 times', () => {
    const now = Date.UTC(2026, 10, 26)
    const text = serializeRecord(
      serializeBody({ n: 1 }, undefined, undefined, null),
      now,
      now,
      now + 1,
    )
    expect(text).toBe(`{"n":1}|${now.toString(36)},${now.toString(36)},${(now + 1).toString(36)}`)
    expect(parseRecord(text)).toMatchObject({ createdAt: now, touchedAt: now, expiresAt: now + 1 })
  })

  it('adds the last activity only when it came after the last touch, before a sealed id', () => {
    const body = serializeBody({ n: 1 }, undefined, undefined, null)
    expect(serializeRecord(body, 1, 2, 3, undefined, 2)).toBe('{"n":1}|1,2,3')
    expect(parseRecord('{"n":1}|1,2,3')).toMatchObject({ touchedAt: 2, activeAt: 2 })
    const stored = serializeRecord(body, 1, 2, 40, undefined, 36)
    expect(stored).toBe('{"n":1}|1,2,14,10')
    expect(parseRecord(stored)).toMatchObject({ touchedAt: 2, expiresAt: 40, activeAt: 36 })
    const sealed = serializeRecord(body, 1, 2, 40, 'A'.repeat(32), 36)
    expect(parseRecord(sealed)).toMatchObject({ activeAt: 36, id: 'A'.repeat(32) })
    // An activity before the last touch is not something this module wrote.
    expect(parseRecord('{"n":1}|1,5,14,4')).toBeNull()
  })

  it('reuses the times of the record it replaces only when they are the same', () => {
    const body = serializeBody({ n: 2 }, undefined, undefined, null)
    const previous = serializeRecord('{"n":1}', 1000, 2000, 3000).slice('{"n":1}'.length)
    expect(serializeRecord(body, 1000, 2000, 4000, undefined, 3500, previous)).toBe(
      `{"n":2}|${(1000).toString(36)},${(2000).toString(36)},${(4000).toString(36)},${(3500).toString(36)}`,
    )
    // A refresh moved the last touch, and another session's tail holds other times.
    expect(serializeRecord(body, 1000, 2500, 4000, undefined, 2500, previous)).toBe(
      `{"n":2}|${(1000).toString(36)},${(2500).toString(36)},${(4000).toString(36)}`,
    )
    expect(serializeRecord(body, 999, 2000, 4000, undefined, 2000, previous)).toBe(
      `{"n":2}|${(999).toString(36)},${(2000).toString(36)},${(4000).toString(36)}`,
    )
    expect(serializeRecord(body, 1, 2, 3, undefined, 2, '|garbage')).toBe('{"n":2}|1,2,3')
  })

  it('keeps times up to the largest safe integer', () => {
    const max = Number.MAX_SAFE_INTEGER
    const text = serializeRecord(serializeBody({}, undefined, undefined, null), 0, max, max)
    expect(parseRecord(text)).toMatchObject({ createdAt: 0, touchedAt: max, expiresAt: max })
  })

  it('finds the times after the last "|", whatever the data holds', () => {
    const data = { note: 'a|b,c', nested: { '|': ',' } }
    const text = serializeRecord(serializeBody(data, { f: '|' }, undefined, null), 5, 6, 7)
    const record = parseRecord(text)!
    expect({ ...record.data }).toEqual(data)
    expect({ ...record.flash }).toEqual({ f: '|' })
    expect(record).toMatchObject({ createdAt: 5, touchedAt: 6, expiresAt: 7, id: undefined })
  })

  it.each([
    [{ kind: 'browser' } as const],
    [{ kind: 'date', at: 1_800_000_000_000 } as const],
    [{ kind: 'idle', seconds: 3600 } as const],
    [undefined],
  ])('keeps the expiry override %j', (expiry) => {
    const text = serializeRecord(
      serializeBody(Object.create(null), undefined, expiry, null),
      1,
      2,
      3,
    )
    expect(parseRecord(text)!.expiry).toEqual(expiry)
    const withFlash = serializeRecord(serializeBody({ a: 1 }, { b: 2 }, expiry, null), 1, 2, 3)
    expect(parseRecord(withFlash)).toMatchObject({ expiry, data: { a: 1 }, flash: { b: 2 } })
  })

  it('gives data and flash bags no prototype, so a stored __proto__ stays a plain key', () => {
    const record = parseRecord('[{"__proto__":{"x":1}},{"__proto__":2}]|1,1,1')!
    expect(Object.getPrototypeOf(record.data)).toBeNull()
    expect(Object.keys(record.data)).toEqual(['__proto__'])
    expect(Object.getPrototypeOf(record.flash)).toBeNull()
    expect(Object.keys(record.flash!)).toEqual(['__proto__'])
  })

  it.each([
    null,
    42,
    '',
    'not json',
    '{}',
    '{}|1,1',
    '{}|1,1,',
    '{}|1,1,1,',
    '|1,1,1',
    '[]|1,1,1',
    '[{}]|1,1,1',
    '[{},3]|1,1,1',
    '[{},{},{}]|1,1,1',
    '"text"|1,1,1',
    'null|1,1,1',
    '{}|-1,1,1',
    '{}|1.5,1,1',
    '{}|A,1,1',
    '{}|1,1,zzzzzzzzzzzz',
    '{}|1,1,zzzzzzzzzzz',
    'x0{}|1,1,1',
    'x{}|1,1,1',
    'b1{}|1,1,1',
    'q1{}|1,1,1',
    'x1|1,1,1',
    '{"d":{},"c":1,"t":1,"e":1}',
  ])('refuses what it did not write: %j', (text) => {
    expect(parseRecord(text)).toBeNull()
  })
})
