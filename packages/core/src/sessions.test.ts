import { afterEach, beforeEach, describe, it, expect, vi, expectTypeOf } from 'vitest'
import fc from 'fast-check'
import {
  CookieStore,
  SessionConfigError,
  SessionDataError,
  SessionStoreError,
  SessionTooLargeError,
  createSessions,
  serializeCookie,
  sign,
} from './index.ts'
import type { Session, SessionsOptions } from './index.ts'
import { CookieJar, CountingStore } from '@fetch-session/test-support'

const SECRET = 'a-secret-of-at-least-thirty-two-characters'
const DAY = 24 * 60 * 60

interface Data {
  count: number
  cart: string[]
  user: string
  message: string
}

function setup(options: Partial<SessionsOptions> = {}) {
  const store = new CountingStore()
  const sessions = createSessions<Data>({ secrets: SECRET, store, ...options })
  const jar = new CookieJar()
  // A browser in front of a wrapped handler.
  async function request(
    act: (session: Session<Data>) => unknown = () => {},
    init: RequestInit & { url?: string } = {},
  ): Promise<Response> {
    const headers = new Headers(init.headers)
    const cookie = jar.header()
    if (cookie !== undefined) headers.set('cookie', cookie)
    const handler = sessions.wrap(async (req) => {
      const result = await act(await sessions.load(req))
      return result instanceof Response ? result : new Response('ok')
    })
    const response = await handler(
      new Request(init.url ?? 'https://example.com/', { ...init, headers }),
    )
    jar.store(response)
    return response
  }
  return { store, sessions, jar, request }
}

describe('createSessions()', () => {
  it.each<[string, unknown]>([
    ['no options', undefined],
    ['no secrets', {}],
    ['a short secret', { secrets: 'short' }],
    ['an empty list of secrets', { secrets: [] }],
    ['a short old secret', { secrets: [SECRET, 'old'] }],
    ['a store without delete', { secrets: SECRET, store: { get() {}, set() {} } }],
    ['a fractional idleTimeout', { secrets: SECRET, idleTimeout: 1.5 }],
    ['an idleTimeout over 400 days', { secrets: SECRET, idleTimeout: 401 * DAY }],
    ['a zero absoluteTimeout', { secrets: SECRET, absoluteTimeout: 0 }],
    [
      'a touchInterval as long as idleTimeout',
      { secrets: SECRET, idleTimeout: 60, touchInterval: 60 },
    ],
    ['a bad cookie name', { secrets: SECRET, cookie: { name: 'my session' } }],
    ['__Host- without secure', { secrets: SECRET, cookie: { name: '__Host-s', secure: false } }],
    ['__Host- with a domain', { secrets: SECRET, cookie: { name: '__Host-s', domain: 'a.com' } }],
    ['a relative path', { secrets: SECRET, cookie: { path: 'app' } }],
    [
      'SameSite=None over plain http',
      { secrets: SECRET, cookie: { sameSite: 'none', secure: false } },
    ],
    ['a bad secure value', { secrets: SECRET, cookie: { secure: 'yes' } }],
  ])('throws SessionConfigError for %s', (_, options) => {
    expect(() => createSessions(options as SessionsOptions)).toThrow(SessionConfigError)
  })

  it('names the option at fault and never echoes a secret', () => {
    const secret = 'tooshort-secret'
    try {
      createSessions({ secrets: [SECRET, secret] })
      expect.unreachable()
    } catch (error) {
      expect((error as SessionConfigError).code).toBe('SESSION_CONFIG_INVALID')
      expect((error as Error).message).toContain('secrets[1]')
      expect((error as Error).message).not.toContain(secret)
    }
  })

  it('accepts __Host- with its rules', () => {
    expect(() =>
      createSessions({ secrets: SECRET, cookie: { name: '__Host-session' } }),
    ).not.toThrow()
  })

  it('types the session data', async () => {
    const sessions = createSessions<{ cart: string[] }>({ secrets: SECRET })
    const session = await sessions.load(new Request('https://example.com/'))
    expectTypeOf(session.get('cart')).toEqualTypeOf<string[] | undefined>()
    // @ts-expect-error: not a key of the data
    session.get('nope')
    // @ts-expect-error: wrong value type
    session.set('cart', 3)
  })
})

describe('sessions.load()', () => {
  it('returns the same session for the same request', async () => {
    const { sessions } = setup()
    const request = new Request('https://example.com/')
    expect(await sessions.load(request)).toBe(await sessions.load(request))
    expect(sessions.isLoaded(request)).toBe(true)
    expect(sessions.isLoaded(new Request('https://example.com/'))).toBe(false)
  })

  it('keeps one session per request apart for two Sessions objects, and for a frozen request', async () => {
    const { sessions } = setup()
    const other = createSessions<Data>({ secrets: SECRET, store: new CountingStore() })
    const request = Object.freeze(new Request('https://example.com/'))
    const session = await sessions.load(request)
    expect(await sessions.load(request)).toBe(session)
    expect(sessions.isLoaded(request)).toBe(true)
    expect(other.isLoaded(request)).toBe(false)
    expect(await other.load(request)).not.toBe(session)
    session.set('count', 1)
    const headers = await sessions.finish(request, 200)
    expect(headers.setCookie).toMatch(/^session=/)
    expect(Object.keys(request)).toEqual([])
  })

  it('never rejects, whatever Cookie header the client sends', async () => {
    const { sessions, store } = setup()
    const signed = await sign('AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', SECRET)
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string({ unit: 'binary' }),
          fc.string().map((s) => `session=${s}`),
          fc.string().map((s) => `session=${signed.slice(0, 20)}${s}`),
          fc.constant(`session=${signed}`),
        ),
        async (header) => {
          const headers = new Headers()
          try {
            headers.set('cookie', header)
          } catch {
            return // not a header a client can send
          }
          const session = await sessions.load(new Request('https://example.com/', { headers }))
          expect(session.isNew).toBe(true)
        },
      ),
      { numRuns: 500 },
    )
    expect(store.calls.set).toBe(0)
  }, 30_000)

  it('rejects with SessionStoreError, without the id, when the store fails', async () => {
    const { request, store, jar, sessions } = setup()
    await request((s) => s.set('count', 1))
    store.failing = true
    const id = jar.get('session')!.split('.')[0]!
    const error = await sessions
      .load(new Request('https://example.com/', { headers: { cookie: jar.header()! } }))
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(SessionStoreError)
    expect((error as SessionStoreError).code).toBe('SESSION_STORE_FAILED')
    expect((error as Error).message).not.toContain(id)
    expect((error as Error).cause).toBeInstanceOf(Error)
  })

  it('does not verify a cookie twice', async () => {
    const { request } = setup()
    await request((s) => s.set('count', 1))
    const verify = vi.spyOn(crypto.subtle, 'verify')
    try {
      await request((s) => void s.get('count'))
      await request((s) => void s.get('count'))
      expect(verify).toHaveBeenCalledTimes(1)
    } finally {
      verify.mockRestore()
    }
  })
})

describe('laziness (rules 1 and 4)', () => {
  it('touches nothing for a handler that never loads the session', async () => {
    const { store, sessions, request, jar } = setup()
    await request((s) => s.set('count', 1))
    store.reset()
    const digest = vi.spyOn(crypto.subtle, 'verify')
    const handler = sessions.wrap(() => new Response('hi'))
    // A valid cookie never verified yet: loading it would verify it and read the store.
    const cookie = jar.header()!
    const response = await handler(new Request('https://example.com/', { headers: { cookie } }))
    expect(store.total).toBe(0)
    expect(digest).not.toHaveBeenCalled()
    expect([...response.headers.keys()]).toEqual(['content-type'])
    digest.mockRestore()
  })

  it('neither reads nor writes the store for a request without a cookie that only reads', async () => {
    const { store, request } = setup()
    const response = await request((s) => {
      expect(s.get('count')).toBeUndefined()
      expect(s.has('count')).toBe(false)
    })
    expect(store.total).toBe(0)
    expect(response.headers.get('set-cookie')).toBeNull()
  })

  it('reads once and writes nothing for an unchanged session', async () => {
    const { store, request } = setup()
    await request((s) => s.set('cart', ['apple']))
    store.reset()
    const response = await request((s) => void s.get('cart'))
    expect(store.calls).toEqual({ get: 1, set: 0, delete: 0 })
    expect(response.headers.get('set-cookie')).toBeNull()
  })

  it('writes once when a nested value is mutated in place', async () => {
    const { store, request } = setup()
    await request((s) => s.set('cart', ['apple']))
    store.reset()
    await request((s) => s.get('cart')!.push('pear'))
    expect(store.calls).toEqual({ get: 1, set: 1, delete: 0 })
    await request((s) => expect(s.get('cart')).toEqual(['apple', 'pear']))
  })

  it('writes nothing when a value is set to what it was', async () => {
    const { store, request } = setup()
    await request((s) => s.set('count', 1))
    store.reset()
    await request((s) => s.set('count', 1))
    expect(store.calls.set).toBe(0)
  })
})

describe('expiry', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(Date.UTC(2026, 0, 1))
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  it('ends a session after idleTimeout without activity', async () => {
    const { request } = setup({ idleTimeout: 3600 })
    await request((s) => s.set('count', 1))
    vi.advanceTimersByTime(3599 * 1000)
    await request((s) => expect(s.get('count')).toBe(1))
    vi.advanceTimersByTime(3601 * 1000)
    await request((s) => expect(s.isNew).toBe(true))
  })

  it('refreshes an active session at most once per touchInterval', async () => {
    const { request, store } = setup({ idleTimeout: 3600 })
    await request((s) => s.set('count', 1))
    store.reset()
    // Default touchInterval: a tenth of idleTimeout, 360 s.
    vi.advanceTimersByTime(359 * 1000)
    let response = await request((s) => void s.get('count'))
    expect(store.calls.set).toBe(0)
    expect(response.headers.get('set-cookie')).toBeNull()
    vi.advanceTimersByTime(2 * 1000)
    response = await request((s) => void s.get('count'))
    expect(store.calls.set).toBe(1)
    expect(response.headers.get('set-cookie')).toMatch(/Max-Age=3600;/)
    // The session now lives 3600 s from the refresh, past the original expiry.
    vi.advanceTimersByTime(3500 * 1000)
    await request((s) => expect(s.get('count')).toBe(1))
  })

  it('extends the session on the server with every change, and its cookie once per touchInterval', async () => {
    const { request, store, jar } = setup({ idleTimeout: 100, touchInterval: 50 })
    await request((s) => s.set('count', 1))
    const cookie = jar.header()!
    vi.advanceTimersByTime(40 * 1000)
    store.reset()
    // A change before touchInterval is written, with the later end, and sends no cookie.
    let response = await request((s) => s.set('count', 2))
    expect(store.calls.set).toBe(1)
    expect(response.headers.get('set-cookie')).toBeNull()
    // 120 s: the browser dropped the cookie at 100 s, by its Max-Age; on the server the session
    // lives until 140 s. This read is past touchInterval, so the cookie is sent again.
    vi.advanceTimersByTime(80 * 1000)
    expect(jar.header()).toBeUndefined()
    response = await request((s) => expect(s.get('count')).toBe(2), { headers: { cookie } })
    expect(response.headers.get('set-cookie')).toContain('Max-Age=100;')
    vi.advanceTimersByTime(101 * 1000)
    await request((s) => expect(s.isNew).toBe(true), { headers: { cookie } })
  })

  it('re-sends the cookie when due, even if a change already took the session to its absolute end', async () => {
    const { request } = setup({ idleTimeout: 3600, absoluteTimeout: 5000, touchInterval: 2000 })
    let response = await request((s) => s.set('count', 1))
    expect(response.headers.get('set-cookie')).toContain('Max-Age=3600;')
    vi.advanceTimersByTime(1500 * 1000)
    // The session now ends at 5000 s on the server; the cookie still says 3600.
    response = await request((s) => s.set('count', 2))
    expect(response.headers.get('set-cookie')).toBeNull()
    vi.advanceTimersByTime(600 * 1000)
    response = await request((s) => void s.get('count'))
    expect(response.headers.get('set-cookie')).toContain('Max-Age=2900;')
  })

  it('extends the expiry only on changes when not rolling', async () => {
    const { request, store } = setup({ idleTimeout: 3600, rolling: false })
    await request((s) => s.set('count', 1))
    store.reset()
    vi.advanceTimersByTime(3000 * 1000)
    const response = await request((s) => void s.get('count'))
    expect(store.calls.set).toBe(0)
    expect(response.headers.get('set-cookie')).toBeNull()
    vi.advanceTimersByTime(601 * 1000)
    await request((s) => expect(s.isNew).toBe(true))
  })

  it('ends a session after absoluteTimeout however active', async () => {
    const { request } = setup({ idleTimeout: 3600, absoluteTimeout: 7200, touchInterval: 0 })
    await request((s) => s.set('count', 1))
    for (let i = 0; i < 7; i++) {
      vi.advanceTimersByTime(1000 * 1000)
      const response = await request((s) => expect(s.get('count')).toBe(1))
      // Once the absolute end is nearer than the idle one, the expiry stops moving and the
      // cookie is not sent again.
      const cookie = response.headers.get('set-cookie')
      if (i < 4) expect(cookie).toContain(`Max-Age=${Math.min(3600, 7200 - (i + 1) * 1000)};`)
      else expect(cookie).toBeNull()
    }
    vi.advanceTimersByTime(201 * 1000)
    await request((s) => expect(s.isNew).toBe(true))
  })

  it('keeps absoluteTimeout across regenerate()', async () => {
    const { request } = setup({ idleTimeout: 3600, absoluteTimeout: 5000, touchInterval: 0 })
    await request((s) => s.set('count', 1))
    vi.advanceTimersByTime(3000 * 1000)
    await request((s) => s.regenerate())
    vi.advanceTimersByTime(2001 * 1000)
    await request((s) => expect(s.isNew).toBe(true))
  })

  it('applies tightened timeouts to sessions stored under looser ones', async () => {
    const store = new CountingStore()
    const loose = createSessions<Data>({ secrets: SECRET, store })
    const request = new Request('https://example.com/')
    const session = await loose.load(request)
    session.set('user', 'ada')
    const cookie = (await loose.commit(session, new Response())).headers
      .get('set-cookie')!
      .split(';')[0]!
    vi.advanceTimersByTime(2 * 3600 * 1000)
    const strict = createSessions<Data>({ secrets: SECRET, store, idleTimeout: 1800 })
    const later = await strict.load(new Request('https://example.com/', { headers: { cookie } }))
    expect(later.isNew).toBe(true)
    const capped = createSessions<Data>({ secrets: SECRET, store, absoluteTimeout: 3600 })
    const again = await capped.load(new Request('https://example.com/', { headers: { cookie } }))
    expect(again.isNew).toBe(true)
    expect(
      (await loose.load(new Request('https://example.com/', { headers: { cookie } }))).isNew,
    ).toBe(false)
  })

  it('gives a session stored under a looser timeout the tightened expiry', async () => {
    const store = new CountingStore()
    const loose = createSessions<Data>({ secrets: SECRET, store, idleTimeout: 3600 })
    const session = await loose.load(new Request('https://example.com/'))
    session.set('user', 'ada')
    const cookie = (await loose.commit(session, new Response())).headers
      .get('set-cookie')!
      .split(';')[0]!
    const strict = createSessions<Data>({ secrets: SECRET, store, idleTimeout: 60 })
    const later = await strict.load(new Request('https://example.com/', { headers: { cookie } }))
    expect(later.isNew).toBe(false)
    expect(later.expiresAt!.getTime()).toBeLessThanOrEqual(Date.now() + 60_000)
  })

  it('propagates what the handler throws, persisting nothing (rule 6)', async () => {
    const { store, sessions } = setup()
    const failure = new Error('handler failed')
    const handler = sessions.wrap(async (req) => {
      ;(await sessions.load(req)).set('user', 'ada')
      throw failure
    })
    await expect(handler(new Request('https://example.com/'))).rejects.toBe(failure)
    expect(store.calls.set).toBe(0)
  })

  it('sends no Max-Age for browser sessions, but still expires them on the server', async () => {
    const { request } = setup({ idleTimeout: 60, browserSession: true })
    const response = await request((s) => s.set('count', 1))
    expect(response.headers.get('set-cookie')).not.toMatch(/Max-Age|Expires/)
    vi.advanceTimersByTime(61 * 1000)
    await request((s) => expect(s.isNew).toBe(true))
  })

  describe('session.setExpiry()', () => {
    it('overrides the idle timeout with seconds', async () => {
      const { request } = setup()
      const response = await request((s) => {
        s.set('count', 1)
        s.setExpiry(30 * DAY)
        expect(s.expiresAt?.getTime()).toBe(Date.now() + 30 * DAY * 1000)
      })
      expect(response.headers.get('set-cookie')).toMatch(/Max-Age=2592000;/)
      vi.advanceTimersByTime(29 * DAY * 1000)
      await request((s) => expect(s.get('count')).toBe(1))
    })

    it('ends the session at a Date however active', async () => {
      const { request } = setup({ touchInterval: 0 })
      const end = new Date(Date.now() + 3600 * 1000)
      const response = await request((s) => {
        s.set('count', 1)
        s.setExpiry(end)
      })
      expect(response.headers.get('set-cookie')).toMatch(/Max-Age=3600;/)
      vi.advanceTimersByTime(3000 * 1000)
      await request((s) => expect(s.get('count')).toBe(1))
      vi.advanceTimersByTime(601 * 1000)
      await request((s) => expect(s.isNew).toBe(true))
    })

    it('makes a browser-session cookie with 0, and returns to the default with null', async () => {
      const { request } = setup()
      let response = await request((s) => {
        s.set('count', 1)
        s.setExpiry(0)
      })
      expect(response.headers.get('set-cookie')).not.toMatch(/Max-Age/)
      response = await request((s) => s.setExpiry(null))
      expect(response.headers.get('set-cookie')).toMatch(/Max-Age=1209600;/)
    })

    it.each([-1, 1.5, NaN, 401 * DAY, new Date(NaN), '60'])('refuses %s', async (value) => {
      const { request } = setup()
      await request((s) => {
        expect(() => s.setExpiry(value as number)).toThrow(SessionDataError)
      })
    })
  })
})

describe('session.set()', () => {
  it.each<[string, unknown]>([
    ['undefined', undefined],
    ['a function', () => 1],
    ['a symbol', Symbol('x')],
    ['a bigint', 1n],
    ['NaN', NaN],
    ['Infinity', Infinity],
    ['a Date', new Date()],
    ['a Map', new Map()],
    ['a class instance', new (class Cart {})()],
    ['a nested undefined', { a: [1, { b: undefined }] }],
    ['a property under a symbol', { a: { [Symbol('hidden')]: 1 } }],
  ])('refuses %s at the line that sets it', async (_, value) => {
    const { request, store } = setup()
    await request((s) => {
      expect(() => s.set('count', value as number)).toThrow(SessionDataError)
      expect(s.has('count')).toBe(false)
    })
    expect(store.calls.set).toBe(0)
  })

  it('names the key, never nested keys or values, in its message', async () => {
    const { request } = setup()
    await request((s) => {
      const cart = { 'ada@example.com': { since: new Date() } }
      expect(() => s.set('cart', cart as never)).toThrow(
        /^Session value at key "cart" \(nested\) is a Date/,
      )
      try {
        s.set('cart', cart as never)
      } catch (error) {
        expect((error as Error).message).not.toContain('ada@example.com')
      }
    })
  })

  it('refuses a circular value', async () => {
    const { request } = setup()
    const value: Record<string, unknown> = {}
    value['self'] = value
    await request((s) => expect(() => s.set('count', value as never)).toThrow(/circular/))
  })

  it('keeps keys such as __proto__ as plain data', async () => {
    const sessions = createSessions({ secrets: SECRET })
    const jar = new CookieJar()
    const handler = sessions.wrap(async (request) => {
      const session = await sessions.load(request)
      if (request.method === 'POST') session.set('__proto__', { polluted: true })
      return Response.json({ value: session.get('__proto__') ?? null, keys: session.keys() })
    })
    const first = await handler(new Request('https://example.com/', { method: 'POST' }))
    jar.store(first)
    const second = await handler(
      new Request('https://example.com/', { headers: { cookie: jar.header()! } }),
    )
    expect(await second.json()).toEqual({ value: { polluted: true }, keys: ['__proto__'] })
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined()
  })
})

describe('session API', () => {
  it('lists keys and entries, data first then flash', async () => {
    const { request } = setup()
    await request((s) => {
      s.set('count', 1)
      s.flash('message', 'hi')
    })
    await request((s) => {
      expect(s.keys()).toEqual(['count', 'message'])
      expect(s.entries()).toEqual([
        ['count', 1],
        ['message', 'hi'],
      ])
      s.delete('message')
      expect(s.has('message')).toBe(false)
    })
  })

  it('returns a value set in this request over a flash value under the same key', async () => {
    const { request } = setup()
    await request((s) => s.flash('message', 'old'))
    await request((s) => {
      expect(s.get('message')).toBe('old')
      s.set('message', 'new')
      expect(s.get('message')).toBe('new')
    })
    await request((s) => expect(s.get('message')).toBe('new'))
  })

  it('starts a new session for values set after destroy()', async () => {
    const { request, jar } = setup()
    await request((s) => s.set('user', 'ada'))
    const before = jar.get('session')
    await request((s) => {
      s.destroy()
      s.set('message', 'Logged out')
    })
    expect(jar.get('session')).not.toBe(before)
    await request((s) => {
      expect(s.get('user')).toBeUndefined()
      expect(s.get('message')).toBe('Logged out')
    })
  })
})

describe('sessions.commit()', () => {
  it('merges Vary, keeps the app cookies and its Cache-Control', async () => {
    const { request } = setup()
    const response = await request((s) => {
      s.set('count', 1)
      const r = new Response('x', {
        headers: { vary: 'Accept-Encoding', 'cache-control': 'no-store' },
      })
      r.headers.append('set-cookie', 'theme=dark; Path=/')
      return r
    })
    expect(response.headers.get('vary')).toBe('Accept-Encoding, Cookie')
    expect(response.headers.get('cache-control')).toBe('no-store')
    expect(response.headers.getSetCookie()).toHaveLength(2)
    expect(response.headers.getSetCookie()[0]).toBe('theme=dark; Path=/')
  })

  it('does not repeat Cookie in Vary, nor add it to Vary: *', async () => {
    const { request } = setup()
    let response = await request(() => new Response('x', { headers: { vary: 'cookie' } }))
    expect(response.headers.get('vary')).toBe('cookie')
    response = await request(() => new Response('x', { headers: { vary: '*' } }))
    expect(response.headers.get('vary')).toBe('*')
  })

  it('copies an immutable response before adding headers', async () => {
    const { sessions } = setup()
    const request = new Request('https://example.com/')
    const session = await sessions.load(request)
    session.set('count', 1)
    const immutable = Response.redirect('https://example.com/next', 302)
    const response = await sessions.commit(session, immutable)
    expect(response.status).toBe(302)
    expect(response.headers.get('location')).toBe('https://example.com/next')
    expect(response.headers.get('set-cookie')).toMatch(/^session=/)
  })

  it('sends the cookie exactly as serializeCookie writes it', async () => {
    const cookie = {
      name: '__Secure-sid',
      path: '/app',
      domain: 'example.com',
      sameSite: 'strict',
      partitioned: true,
    } as const
    const { request, jar } = setup({ cookie, idleTimeout: 3600 })
    const response = await request((s) => s.set('count', 1))
    const value = jar.get('__Secure-sid')!
    expect(response.headers.get('set-cookie')).toBe(
      serializeCookie('__Secure-sid', value, {
        ...cookie,
        maxAge: 3600,
        httpOnly: true,
        secure: true,
        encode: (v) => v,
      }),
    )
  })

  it('drops a __Host- prefix over plain http with secure: "auto", where browsers refuse it', async () => {
    const sessions = createSessions<Data>({
      secrets: SECRET,
      cookie: { name: '__Host-session', secure: 'auto' },
    })
    for (const [url, name, secure] of [
      ['https://example.com/', '__Host-session', true],
      ['http://localhost/', 'session', false],
    ] as const) {
      const session = await sessions.load(new Request(url))
      session.set('user', 'ada')
      const cookie = (await sessions.commit(session, new Response())).headers.get('set-cookie')!
      expect(cookie.startsWith(`${name}=`)).toBe(true)
      expect(cookie.includes('; Secure')).toBe(secure)
      const again = await sessions.load(
        new Request(url, { headers: { cookie: cookie.split(';')[0]! } }),
      )
      expect(again.get('user')).toBe('ada')
    }
  })

  it('drops the prefix in any case, as browsers read it, with secure: "auto"', () => {
    // Browsers match the prefixes case-insensitively, so a `__host-` name is held to them too.
    for (const name of ['__host-session', '__SECURE-session']) {
      expect(() =>
        createSessions({ secrets: SECRET, cookie: { name, secure: 'auto' } }),
      ).not.toThrow()
      expect(() => createSessions({ secrets: SECRET, cookie: { name, secure: false } })).toThrow(
        SessionConfigError,
      )
    }
  })

  it('follows the request scheme with secure: "auto"', async () => {
    const { request } = setup({ cookie: { secure: 'auto' } })
    let response = await request((s) => s.set('count', 1), { url: 'http://example.com/' })
    expect(response.headers.get('set-cookie')).not.toMatch(/Secure/)
    response = await request((s) => s.regenerate(), { url: 'https://example.com/' })
    expect(response.headers.get('set-cookie')).toMatch(/; Secure/)
  })

  it('leaves a regenerate() called while a commit is in flight to the next commit', async () => {
    const { sessions, request, store, jar } = setup()
    await request((s) => s.set('user', 'ada'))
    const cookie = jar.header()!
    const session = await sessions.load(
      new Request('https://example.com/', { headers: { cookie } }),
    )
    session.set('count', 1)
    const committing = sessions.commit(session, new Response())
    session.regenerate()
    await committing
    await request((s) => expect(s.get('user')).toBe('ada'))
    const second = await sessions.commit(session, new Response())
    expect(second.headers.get('set-cookie')).not.toBeNull()
    expect(store.inner.size).toBe(1)
  })

  it('only adds Vary with persist: false', async () => {
    const { sessions, store } = setup()
    const session = await sessions.load(new Request('https://example.com/'))
    session.set('count', 1)
    const response = await sessions.commit(session, new Response('nope', { status: 404 }), {
      persist: false,
    })
    expect(response.headers.get('vary')).toBe('Cookie')
    expect(response.headers.get('set-cookie')).toBeNull()
    expect(store.calls.set).toBe(0)
  })

  it('does nothing more when the same session is committed twice', async () => {
    const { sessions, store } = setup()
    const request = new Request('https://example.com/')
    const session = await sessions.load(request)
    session.set('count', 1)
    const first = await sessions.commit(session, new Response('a'))
    const second = await sessions.commit(session, new Response('b'))
    expect(first.headers.get('set-cookie')).not.toBeNull()
    expect(second.headers.get('set-cookie')).toBeNull()
    expect(store.calls.set).toBe(1)
    session.destroy()
    const third = await sessions.commit(session, new Response('c'))
    expect(third.headers.get('set-cookie')).toMatch(/Max-Age=0/)
    expect((await sessions.commit(session, new Response('d'))).headers.get('set-cookie')).toBeNull()
  })

  it('keeps the old session when the write under the regenerated id fails', async () => {
    const { request, store, jar } = setup()
    await request((s) => s.set('user', 'ada'))
    const before = jar.get('session')
    const set = store.write.bind(store)
    store.write = async () => {
      throw new Error('write refused')
    }
    await expect(request((s) => s.regenerate())).rejects.toBeInstanceOf(SessionStoreError)
    store.write = set
    expect(store.calls.delete).toBe(0)
    expect(jar.get('session')).toBe(before)
    await request((s) => expect(s.get('user')).toBe('ada'))
  })

  it('rejects with SessionStoreError when the store fails to write', async () => {
    const { request, store } = setup()
    store.failing = true
    await expect(request((s) => s.set('count', 1))).rejects.toBeInstanceOf(SessionStoreError)
  })
})

describe('CookieStore', () => {
  it.each([-1, 1.5, NaN, Infinity])('refuses a cacheSize of %s', (cacheSize) => {
    expect(() => new CookieStore({ cacheSize })).toThrow(SessionConfigError)
  })

  it('refuses, at set(), a session that would outgrow the cookie', async () => {
    const { request } = setup({ store: new CookieStore() })
    await request((s) => {
      s.set('user', 'x'.repeat(2000))
      expect(() => s.set('message', 'y'.repeat(2000))).toThrow(SessionTooLargeError)
      expect(s.has('message')).toBe(false)
      expect(s.get('user')).toHaveLength(2000)
    })
  })

  it('leaves no session behind after a refused first flash', async () => {
    const { request, jar } = setup({ store: new CookieStore() })
    const response = await request((s) => {
      expect(() => s.flash('message', 'y'.repeat(5000))).toThrow(SessionTooLargeError)
      expect(s.expiresAt).toBeNull()
    })
    expect(response.headers.get('set-cookie')).toBeNull()
    expect(jar.header()).toBeUndefined()
  })

  it('keeps the data out of the cookie in clear text', async () => {
    const { request, jar } = setup({ store: new CookieStore() })
    await request((s) => s.set('user', 'ada-lovelace'))
    const value = jar.get('session')!
    expect(value).not.toContain('ada')
    expect(atob(value.split('.')[2]!.replace(/-/g, '+').replace(/_/g, '/'))).not.toContain('ada')
  })

  it('does not open a value sealed for another cookie name', async () => {
    const a = setup({ store: new CookieStore(), cookie: { name: 'a' } })
    await a.request((s) => s.set('user', 'ada'))
    const b = setup({ store: new CookieStore(), cookie: { name: 'b' } })
    b.jar.set('b', a.jar.get('a'))
    await b.request((s) => expect(s.isNew).toBe(true))
  })
})
