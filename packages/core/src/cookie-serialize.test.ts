import { describe, it, expect } from 'vitest'
import { CookieError } from './errors.ts'
import { serializeCookie } from './cookie-serialize.ts'

describe('serializeCookie', () => {
  it('writes every attribute in a fixed order', () => {
    const expires = new Date(Date.UTC(2030, 0, 2, 3, 4, 5))
    const now = Date.now
    Date.now = () => Date.UTC(2029, 11, 1)
    try {
      expect(
        serializeCookie('__Host-session', 'v', {
          maxAge: 60,
          path: '/',
          expires,
          httpOnly: true,
          secure: true,
          partitioned: true,
          priority: 'high',
          sameSite: 'lax',
        }),
      ).toBe(
        '__Host-session=v; Max-Age=60; Path=/; Expires=Wed, 02 Jan 2030 03:04:05 GMT; HttpOnly; Secure; Partitioned; Priority=High; SameSite=Lax',
      )
    } finally {
      Date.now = now
    }
  })

  it('percent-encodes the value like encodeURIComponent', () => {
    expect(serializeCookie('a', 'x y;z=✓')).toBe('a=' + encodeURIComponent('x y;z=✓'))
  })

  it('uses a custom encoder, and refuses its output when it is not cookie-octets', () => {
    expect(serializeCookie('a', 'v', { encode: (v) => `"${v}"` })).toBe('a="v"')
    expect(() => serializeCookie('a', 'v', { encode: () => 'a;b' })).toThrow(CookieError)
    expect(() => serializeCookie('a', 'v', { encode: () => 'a b' })).toThrow(CookieError)
    expect(() => serializeCookie('a', 'v', { encode: () => '"a' })).toThrow(CookieError)
  })

  it.each(['', 'a b', 'a;b', 'a=b', 'a,b', 'a"b', 'a\tb', 'é', 'a(b)', 'a\nb'])(
    'refuses the name %j',
    (name) => {
      expect(() => serializeCookie(name, 'v')).toThrow(CookieError)
    },
  )

  it.each(["!#$%&'*+-.^_`|~", 'session', 'A1'])('accepts the token name %j', (name) => {
    expect(serializeCookie(name, 'v')).toBe(`${name}=v`)
  })

  it.each([
    ['maxAge', { maxAge: 1.5 }],
    ['maxAge', { maxAge: NaN }],
    ['maxAge', { maxAge: 400 * 86400 + 1 }],
    ['expires', { expires: new Date(NaN) }],
    ['expires', { expires: new Date(Date.now() + 401 * 86400 * 1000) }],
    ['domain', { domain: 'exa mple.com' }],
    ['domain', { domain: 'example.com;x' }],
    ['domain', { domain: '-bad.com' }],
    ['path', { path: 'relative' }],
    ['path', { path: '/a;b' }],
    ['path', { path: '/a\nb' }],
    ['sameSite', { sameSite: 'sometimes' as 'lax' }],
    ['sameSite=None without secure', { sameSite: 'none' as const }],
    ['partitioned without secure', { partitioned: true }],
    ['priority', { priority: 'urgent' as 'high' }],
  ])('refuses a bad %s', (_, options) => {
    expect(() => serializeCookie('a', 'v', options)).toThrow(CookieError)
  })

  it('allows Max-Age of 400 days, zero and negative values', () => {
    expect(serializeCookie('a', 'v', { maxAge: 400 * 86400 })).toBe('a=v; Max-Age=34560000')
    expect(serializeCookie('a', '', { maxAge: 0 })).toBe('a=; Max-Age=0')
    expect(serializeCookie('a', '', { maxAge: -1 })).toBe('a=; Max-Age=-1')
  })

  it.each([
    ['__Secure-a', {}],
    ['__secure-a', {}],
    ['__Host-a', { path: '/' }],
    ['__HOST-a', { path: '/' }],
    ['__Host-a', { secure: true }],
    ['__Host-a', { secure: true, path: '/x' }],
    ['__Host-a', { secure: true, path: '/', domain: 'example.com' }],
    ['__Http-a', { secure: true }],
    ['__Host-Http-a', { secure: true, path: '/' }],
  ])('enforces the prefix rules of %s %j', (name, options) => {
    expect(() => serializeCookie(name, 'v', options)).toThrow(CookieError)
  })

  it('accepts prefixed names that follow their rules', () => {
    expect(serializeCookie('__Secure-a', 'v', { secure: true })).toBe('__Secure-a=v; Secure')
    expect(serializeCookie('__Host-a', 'v', { secure: true, path: '/' })).toBe(
      '__Host-a=v; Path=/; Secure',
    )
    expect(serializeCookie('__Host-Http-a', 'v', { secure: true, httpOnly: true, path: '/' })).toBe(
      '__Host-Http-a=v; Path=/; HttpOnly; Secure',
    )
  })

  it('refuses a cookie longer than browsers keep', () => {
    expect(() => serializeCookie('a', 'x'.repeat(4094))).not.toThrow()
    expect(() => serializeCookie('a', 'x'.repeat(4095))).toThrow(/4096/)
  })

  it('names the attribute at fault and never echoes the value', () => {
    const secret = 'very-secret-value'
    try {
      serializeCookie('a', secret, { encode: (v) => v + ';' })
      expect.unreachable()
    } catch (error) {
      expect(error).toBeInstanceOf(CookieError)
      expect((error as CookieError).code).toBe('COOKIE_INVALID')
      expect((error as Error).message).not.toContain(secret)
    }
  })

  it('refuses a lone surrogate that cannot be encoded', () => {
    expect(() => serializeCookie('a', '\ud800')).toThrow(URIError)
  })
})
