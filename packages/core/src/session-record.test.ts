import { describe, it, expect } from 'vitest'
import { parseRecord, serializeBody, serializeRecord } from './session-record.ts'

describe('serializeRecord / parseRecord', () => {
  it('round-trips a record and keeps its body for change detection', () => {
    const data = Object.assign(Object.create(null), { cart: ['apple'], n: 1 })
    const body = serializeBody(data, { message: 'hi' }, { kind: 'idle', seconds: 60 })
    const text = serializeRecord(body, 1, 2, 3, 'A'.repeat(32))
    const record = parseRecord(text)!
    expect(record.body).toBe(body)
    expect({ ...record.data }).toEqual({ cart: ['apple'], n: 1 })
    expect({ ...record.flash }).toEqual({ message: 'hi' })
    expect(record).toMatchObject({ createdAt: 1, touchedAt: 2, expiresAt: 3, id: 'A'.repeat(32) })
    expect(record.expiry).toEqual({ kind: 'idle', seconds: 60 })
  })

  it.each([
    [{ kind: 'browser' } as const],
    [{ kind: 'date', at: 1_800_000_000_000 } as const],
    [undefined],
  ])('keeps the expiry override %j', (expiry) => {
    const text = serializeRecord(serializeBody(Object.create(null), undefined, expiry), 1, 2, 3)
    expect(parseRecord(text)!.expiry).toEqual(expiry)
  })

  it('gives data bags no prototype, so a stored __proto__ stays a plain key', () => {
    const record = parseRecord('{"d":{"__proto__":{"x":1}},"c":1,"t":1,"e":1}')!
    expect(Object.getPrototypeOf(record.data)).toBeNull()
    expect(Object.keys(record.data)).toEqual(['__proto__'])
  })

  it.each([
    null,
    42,
    '',
    'not json',
    '{"d":{},"c":1}',
    '[1,"c":2]',
    '{"d":[],"c":1,"t":1,"e":1}',
    '{"d":{},"f":3,"c":1,"t":1,"e":1}',
    '{"d":{},"c":-1,"t":1,"e":1}',
    '{"d":{},"c":1.5,"t":1,"e":1}',
    '{"d":{},"c":"1","t":1,"e":1}',
    '{"d":{},"x":-5,"c":1,"t":1,"e":1}',
    '{"d":{},"c":1,"t":1,"e":1,"i":7}',
  ])('refuses what it did not write: %j', (text) => {
    expect(parseRecord(text)).toBeNull()
  })
})
