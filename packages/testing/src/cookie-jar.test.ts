import { afterEach, describe, expect, it, vi } from 'vitest'
import { CookieJar } from './cookie-jar.ts'

const withCookies = (...lines: string[]) => {
  const headers = new Headers()
  for (const line of lines) headers.append('set-cookie', line)
  return new Response(null, { headers })
}

describe('CookieJar', () => {
  afterEach(() => {
    vi.useRealTimers()
  })

  it('sends back what responses set, one value per name, domain and path', () => {
    const jar = new CookieJar()
    expect(jar.header('http://localhost/')).toBeUndefined()
    jar.store(withCookies('a=1; Path=/; HttpOnly', 'b=2'), 'http://localhost/')
    jar.store(withCookies('a=3; Path=/'), 'http://localhost/')
    expect(jar.header('http://localhost/')).toBe('b=2; a=3')
    expect(jar.all().map(({ name, httpOnly }) => [name, httpOnly])).toEqual([
      ['b', false],
      ['a', false],
    ])
  })

  it('deletes a cookie set with Max-Age=0 or an Expires in the past', () => {
    const jar = new CookieJar()
    jar.store(withCookies('a=1', 'b=2', 'c=3'), 'http://localhost/')
    jar.setCookie('a=; Max-Age=0', 'http://localhost/')
    jar.setCookie('b=; Expires=Thu, 01 Jan 1970 00:00:00 GMT', 'http://localhost/')
    expect(jar.header('http://localhost/')).toBe('c=3')
  })

  it('lets Max-Age win over Expires, and forgets a cookie once its time is past', () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    const jar = new CookieJar()
    jar.setCookie('kept=1; Max-Age=60; Expires=Thu, 01 Jan 1970 00:00:00 GMT', 'http://localhost/')
    jar.setCookie('gone=1; Max-Age=-1; Expires=Fri, 01 Jan 2100 00:00:00 GMT', 'http://localhost/')
    jar.setCookie('brief=1; Max-Age=1', 'http://localhost/')
    expect(jar.header('http://localhost/')).toBe('kept=1; brief=1')
    expect(jar.all().find((cookie) => cookie.name === 'kept')?.expiresAt).toBeGreaterThan(
      Date.now() + 59_000,
    )
    vi.setSystemTime(Date.now() + 1100)
    expect(jar.header('http://localhost/')).toBe('kept=1')
  })

  it('sends a cookie under its path only, most specific path first', () => {
    const jar = new CookieJar()
    jar.setCookie('root=1; Path=/', 'http://localhost/')
    jar.setCookie('admin=1; Path=/admin', 'http://localhost/')
    // Without Path, the default is the directory of the request path.
    jar.setCookie('deep=1', 'http://localhost/admin/users/list')
    expect(jar.header('http://localhost/')).toBe('root=1')
    expect(jar.header('http://localhost/administrator')).toBe('root=1')
    expect(jar.header('http://localhost/admin')).toBe('admin=1; root=1')
    expect(jar.header('http://localhost/admin/users/7')).toBe('deep=1; admin=1; root=1')
  })

  it('keeps Secure cookies from https and loopback origins only, and sends them there', () => {
    const jar = new CookieJar()
    jar.setCookie('local=1; Secure', 'http://localhost/')
    jar.setCookie('loopback=1; Secure', 'http://127.0.0.1/')
    jar.setCookie('plain=1; Secure', 'http://example.com/')
    jar.setCookie('tls=1; Secure', 'https://example.com/')
    expect(jar.header('http://localhost/')).toBe('local=1')
    expect(jar.header('http://127.0.0.1/')).toBe('loopback=1')
    expect(jar.header('http://example.com/')).toBeUndefined()
    expect(jar.header('https://example.com/')).toBe('tls=1')
  })

  it('sends a Domain cookie to subdomains, a host-only one to its host, refuses other sites', () => {
    const jar = new CookieJar()
    jar.setCookie('wide=1; Domain=.example.com', 'https://www.example.com/')
    jar.setCookie('host=1', 'https://www.example.com/')
    jar.setCookie('foreign=1; Domain=other.com', 'https://www.example.com/')
    expect(jar.header('https://www.example.com/')).toBe('wide=1; host=1')
    expect(jar.header('https://api.example.com/')).toBe('wide=1')
    expect(jar.header('https://other.com/')).toBeUndefined()
  })

  it('refuses __Host- and __Secure- cookies that break their prefix rules', () => {
    const jar = new CookieJar()
    const url = 'https://example.com/app/page'
    jar.setCookie('__Host-ok=1; Secure; Path=/', url)
    jar.setCookie('__Host-domain=1; Secure; Path=/; Domain=example.com', url)
    jar.setCookie('__Host-path=1; Secure', url)
    jar.setCookie('__Host-plain=1; Path=/', url)
    jar.setCookie('__Secure-ok=1; Secure', url)
    jar.setCookie('__Secure-plain=1', url)
    expect(jar.all().map((cookie) => cookie.name)).toEqual(['__Host-ok', '__Secure-ok'])
  })
})
