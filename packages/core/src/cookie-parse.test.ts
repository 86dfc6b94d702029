import { describe, it, expect } from 'vitest'
import fc from 'fast-check'
import { parseCookie, readCookie } from './cookie-parse.ts'
import { serializeCookie } from './cookie-serialize.ts'

describe('parseCookie', () => {
  it('reads every pair of a header', () => {
    expect({ ...parseCookie('a=1; b=two; session=abc.def') }).toEqual({
      a: '1',
      b: 'two',
      session: 'abc.def',
    })
  })

  it('returns a prototype-less record from a long header too', () => {
    const padding = Array.from({ length: 20 }, (_, i) => `pad${i}=${'v'.repeat(10)}`).join('; ')
    const cookies = parseCookie(`${padding}; __proto__=x; constructor=y`)
    expect(Object.getPrototypeOf(cookies)).toBeNull()
    expect(cookies['__proto__']).toBe('x')
    expect(cookies['constructor']).toBe('y')
    expect(Object.keys(cookies)).toHaveLength(22)
  })

  it('returns a prototype-less record, so __proto__ is a plain key', () => {
    const cookies = parseCookie('__proto__=x; constructor=y; toString=z')
    expect(Object.getPrototypeOf(cookies)).toBeNull()
    expect(cookies['__proto__']).toBe('x')
    expect(cookies['constructor']).toBe('y')
    expect(parseCookie('a=1')['hasOwnProperty']).toBeUndefined()
  })

  it('keeps the first occurrence of a name', () => {
    expect(parseCookie('session=first; session=second')['session']).toBe('first')
  })

  it('returns an empty record for a missing header', () => {
    expect(Object.keys(parseCookie(null))).toEqual([])
    expect(Object.keys(parseCookie(undefined))).toEqual([])
    expect(Object.keys(parseCookie(''))).toEqual([])
  })

  it.each([
    ['a=1;b=2', { a: '1', b: '2' }],
    ['  a = 1 ;\tb\t=\t2\t', { a: '1', b: '2' }],
    ['a="quoted"', { a: 'quoted' }],
    ['a="', { a: '"' }],
    ['a=', { a: '' }],
    ['novalue; a=1', { a: '1' }],
    ['=nameless; a=1', { a: '1' }],
    ['a=b=c', { a: 'b=c' }],
    [';;; a=1 ;;', { a: '1' }],
    ['a=%E2%9C%93', { a: '✓' }],
    ['a=%zz%E2', { a: '%zz%E2' }],
    ['a=100%', { a: '100%' }],
  ])('parses %j', (header, expected) => {
    expect({ ...parseCookie(header) }).toEqual(expected)
  })

  it.each(['\u00a0', '\u2000', '\u3000', '\ufeff', '\u200b', '\r', '\n', '\v', '\f'])(
    'trims only space and tab, not U+%s',
    (blank) => {
      // Trimming other white space would let "\u00a0__Host-x" pass for "__Host-x".
      const cookies = parseCookie(`${blank}__Host-x=1`)
      expect(cookies['__Host-x']).toBeUndefined()
      expect(cookies[`${blank}__Host-x`]).toBe('1')
    },
  )

  it('uses a custom decoder and keeps the raw value when it throws', () => {
    expect(parseCookie('a=x', { decode: (v) => v.toUpperCase() })['a']).toBe('X')
    expect(
      parseCookie('a=x', {
        decode: () => {
          throw new Error('no')
        },
      })['a'],
    ).toBe('x')
  })

  it('reads a pair after a long run of segments without "="', () => {
    const header = 'a;'.repeat(200_000) + 'x=1; ' + ';'.repeat(200_000)
    expect({ ...parseCookie(header) }).toEqual({ x: '1' })
  })

  it('never throws, whatever the header', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (header) => {
        const cookies = parseCookie(header)
        expect(Object.getPrototypeOf(cookies)).toBeNull()
      }),
      { numRuns: 2000 },
    )
  })

  it('reads back any name and value that serializeCookie accepts', () => {
    const token = fc.stringMatching(/^[!#$%&'*+\-.^_`|~0-9A-Za-z]{1,20}$/)
    fc.assert(
      fc.property(token, fc.string({ unit: 'binary', maxLength: 60 }), (name, value) => {
        let header: string
        try {
          header = serializeCookie(name, value)
        } catch {
          return // lone surrogates cannot be percent-encoded; refusing them is the contract
        }
        expect(parseCookie(header.split(';')[0])[name]).toBe(value)
      }),
      { numRuns: 2000 },
    )
  })
})

describe('readCookie', () => {
  it.each([
    ['a=1; session=abc.def; b=2', 'abc.def'],
    ['session=first; session=second', 'first'],
    [' \tsession = "quoted%20value" ; x=1', 'quoted value'],
    ['xsession=1; sessionx=2; session=3', '3'],
    ['session', undefined],
    ['a=1;;; b=2', undefined],
    ['session=%E0%A4%A', '%E0%A4%A'],
    ['', undefined],
  ])('reads %j', (header, expected) => {
    expect(readCookie(header, 'session')).toBe(expected)
  })

  it('finds nothing without a header or a name', () => {
    expect(readCookie(null, 'session')).toBeUndefined()
    expect(readCookie(undefined, 'session')).toBeUndefined()
    expect(readCookie('=1', '')).toBeUndefined()
  })

  it('reads what parseCookie reads, whatever the header', () => {
    const name = fc.constantFrom('a', 'session', '__proto__', ' a', 'b')
    const piece = fc.constantFrom('a', 'session', '__proto__', '=', ';', ' ', '\t', '"', '%', '1')
    const header = fc.oneof(fc.string({ unit: 'binary' }), fc.string({ unit: piece }))
    fc.assert(
      fc.property(header, name, (text, wanted) => {
        expect(readCookie(text, wanted)).toBe(parseCookie(text)[wanted])
      }),
      { numRuns: 3000 },
    )
  })
})
