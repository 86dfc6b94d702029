import { describe, it, expect } from 'vitest'
import fc from 'fast-check'
import { parseCookie, readCookie } from './cookie-parse.ts'
import { serializeCookie } from './cookie-serialize.ts'

// token = 1*tchar (RFC 9110, 5.6.2), the cookie-name of RFC 6265, 4.1.1.
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/

// Pairs whose name is not a token, each with the valid pair after it that must survive.
const NOT_TOKEN_NAMES: Array<[string, string]> = [
  ['an empty name', '=ng'],
  ['a blank name', ' \t=ng'],
  ['a space inside the name', 'tasty cookie=strawberry'],
  ['a tab inside the name', 'tasty\tcookie=strawberry'],
  ['an escaped "="', 'best_cookie\\=sugar'],
  ['a name in quotes', '"quoted"=1'],
  ...[...'()<>@,:\\"/[]?{}'].map((c): [string, string] => [`the separator ${c}`, `a${c}b=1`]),
  ['a NUL', 'a\u0000b=1'],
  ['a control character', 'a\u0001b=1'],
  ['a DEL', 'a\u007fb=1'],
  ['a carriage return', 'a\rb=1'],
  ['a non-ASCII letter', 'caf\u00e9=1'],
  ['a no-break space before the name', '\u00a0__Host-x=1'],
  ['a byte-order mark before the name', '\ufeff__Host-x=1'],
  ['an emoji', '\u{1f36a}=1'],
]

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
    ["!#$%&'*+-.^_`|~09AZaz=every tchar", { "!#$%&'*+-.^_`|~09AZaz": 'every tchar' }],
    ['a=b=c', { a: 'b=c' }],
    [';;; a=1 ;;', { a: '1' }],
    ['a=%E2%9C%93', { a: '✓' }],
    ['a=%zz%E2', { a: '%zz%E2' }],
    ['a=100%', { a: '100%' }],
  ])('parses %j', (header, expected) => {
    expect({ ...parseCookie(header) }).toEqual(expected)
  })

  it.each(
    ['\u00a0', '\u2000', '\u3000', '\ufeff', '\u200b', '\r', '\n', '\v', '\f'].map((blank) => [
      blank.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0'),
      blank,
    ]),
  )('trims only space and tab, not U+%s', (_, blank) => {
    // Trimming other white space would let "\u00a0__Host-x" pass for "__Host-x"; untrimmed,
    // the name is no token, and the pair is dropped.
    const cookies = parseCookie(`${blank}__Host-x=1; a=2`)
    expect(cookies['__Host-x']).toBeUndefined()
    expect({ ...cookies }).toEqual({ a: '2' })
  })

  it.each(NOT_TOKEN_NAMES)('drops a pair whose name has %s', (_, pair) => {
    expect({ ...parseCookie(`${pair}; next=kept`) }).toEqual({ next: 'kept' })
    expect({ ...parseCookie(`next=kept; ${pair}`) }).toEqual({ next: 'kept' })
  })

  it('drops a pair with a bad name before the pair of the same name it would have shadowed', () => {
    expect({ ...parseCookie('session =1; session=2') }).toEqual({ session: '1' })
    expect({ ...parseCookie('ses sion=1; session=2') }).toEqual({ session: '2' })
  })

  it('returns only token names, whatever the header', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (header) => {
        for (const name of Object.keys(parseCookie(header))) expect(name).toMatch(TOKEN)
      }),
      { numRuns: 2000 },
    )
  })

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

  it.each(NOT_TOKEN_NAMES)('finds nothing under a name with %s', (_, pair) => {
    const name = pair.slice(0, pair.lastIndexOf('='))
    expect(readCookie(`${pair}; next=kept`, name)).toBeUndefined()
    expect(readCookie(`${pair}; next=kept`, name.trim())).toBeUndefined()
    expect(readCookie(`${pair}; next=kept`, 'next')).toBe('kept')
  })

  it('finds nothing without a header or a name', () => {
    expect(readCookie(null, 'session')).toBeUndefined()
    expect(readCookie(undefined, 'session')).toBeUndefined()
    expect(readCookie('=1', '')).toBeUndefined()
  })

  it('reads what parseCookie reads, whatever the header', () => {
    const name = fc.constantFrom('a', 'session', '__proto__', ' a', 'b', 'a b', 'a\\', 'é', '')
    const piece = fc.constantFrom(
      ...['a', 'session', '__proto__', '=', ';', ' ', '\t', '"', '%', '1', '\\', '@', 'é', 'b'],
    )
    const header = fc.oneof(fc.string({ unit: 'binary' }), fc.string({ unit: piece }))
    fc.assert(
      fc.property(header, name, (text, wanted) => {
        expect(readCookie(text, wanted)).toBe(parseCookie(text)[wanted])
      }),
      { numRuns: 3000 },
    )
  })
})
