import { describe, it, expect } from 'vitest'
import {
  CookieStore,
  MemoryStore,
  SessionConfigError,
  SessionStoreError,
  SessionTooLargeError,
  createSessions,
  generateSessionId,
  sign,
} from './index.ts'
import type { SessionsOptions, VersionedSessionStore } from './index.ts'

const SECRET = 'a-secret-of-at-least-thirty-two-characters'

async function firstCookie(
  options: SessionsOptions,
  response = new Response('ok'),
  data: Record<string, unknown> = { n: 1 },
) {
  const sessions = createSessions<Record<string, unknown>>(options)
  const handler = sessions.wrap(async (request) => {
    const session = await sessions.load(request)
    for (const [key, value] of Object.entries(data)) session.set(key, value)
    return response
  })
  return handler(new Request('https://example.com/'))
}

describe('a response that sets the session cookie', () => {
  it.each([
    [null, 'private'],
    ['public, max-age=600', 'private, max-age=600'],
    ['s-maxage=600, max-age=60', 'private, max-age=60'],
    ['max-age=60', 'private, max-age=60'],
    ['no-store', 'no-store'],
    ['private, max-age=5', 'private, max-age=5'],
  ])('is kept from shared caches: Cache-Control %s becomes %s', async (given, expected) => {
    const init = given === null ? {} : { headers: { 'cache-control': given } }
    const response = await firstCookie({ secrets: SECRET }, new Response('ok', init))
    expect(response.headers.get('set-cookie')).toMatch(/^session=/)
    expect(response.headers.get('cache-control')).toBe(expected)
  })
})

describe('storeTimeout', () => {
  // A store whose calls never settle, as a client queueing commands for a server that is gone.
  const never: VersionedSessionStore = {
    read: () => new Promise(() => {}),
    write: () => new Promise(() => {}),
    remove: () => new Promise(() => {}),
  }

  it('fails a store call that never settles with SessionStoreError, in bounded time', async () => {
    const sessions = createSessions({ secrets: SECRET, store: never, storeTimeout: 200 })
    const started = Date.now()
    const cookie = 'session=' + (await sign(generateSessionId(), SECRET))
    const error = await sessions
      .load(new Request('https://example.com/', { headers: { cookie } }))
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(SessionStoreError)
    expect((error as Error).message).toMatch(/did not answer in time/)
    expect(Date.now() - started).toBeLessThan(5000)
  })

  it('bounds a commit too', async () => {
    await expect(
      firstCookie({ secrets: SECRET, store: never, storeTimeout: 200 }),
    ).rejects.toBeInstanceOf(SessionStoreError)
  })

  it('is checked at configuration', () => {
    expect(() => createSessions({ secrets: SECRET, storeTimeout: 0 })).toThrow(SessionConfigError)
    // A longer timer would fire at once.
    expect(() => createSessions({ secrets: SECRET, storeTimeout: 2 ** 31 })).toThrow(
      /at most 2147483647/,
    )
    expect(createSessions({ secrets: SECRET, storeTimeout: 2 ** 31 - 1 })).toBeDefined()
  })
})

describe('store errors', () => {
  it('carry a sanitized cause, with no session id, record or stack from the store', async () => {
    const inner = new MemoryStore()
    const leaky: VersionedSessionStore = {
      read: (id) => inner.read(id),
      remove: (id, expected) => inner.remove(id, expected),
      async write(id, write) {
        const error = new Error(`write of ${id} failed with ${write.record}`)
        throw Object.assign(error, {
          code: 'EDOWN',
          detail: `Key (record)=(${JSON.stringify(write.record)}) is invalid`,
          query: { values: [id, write.record] },
        })
      },
    }
    const data = { email: 'ada@example.com', role: 'admin' }
    const error = await firstCookie({ secrets: SECRET, store: leaky }, undefined, data).catch(
      (e: unknown) => e,
    )
    expect(error).toBeInstanceOf(SessionStoreError)
    const cause = (error as Error).cause as Error & Record<string, unknown>
    expect(cause.message).toMatch(/^write of \[redacted\] failed with \{\[redacted\]:/)
    expect(cause.code).toBe('EDOWN')
    expect(cause.query).toBeUndefined()
    const logged = JSON.stringify([cause.message, cause.stack, cause.detail])
    expect(logged).not.toMatch(/[A-Za-z0-9_-]{32}/)
    expect(logged).not.toMatch(/ada@example|admin|email|role/)
  })

  it('blank a record that a store cut short, its last quote left open', () => {
    const error = new SessionStoreError('write', new Error('bad record {"email":"ada@exam'))
    expect(((error as Error).cause as Error).message).toBe('bad record {[redacted]:[redacted]')
  })
})

describe('secrets', () => {
  it('names an unset secret as unset', () => {
    expect(() => createSessions({ secrets: [process.env['NO_SUCH_SECRET']!] })).toThrow(
      /`secrets\[0\]` is unset/,
    )
  })

  it('counts characters, not bytes or UTF-16 code units', () => {
    expect(() => createSessions({ secrets: 'x'.repeat(32) })).not.toThrow()
    expect(() => createSessions({ secrets: 'x'.repeat(31) })).toThrow(/at least 32 characters/)
    // 16 characters of two bytes each, and 16 of two UTF-16 code units (four bytes) each.
    expect(() => createSessions({ secrets: 'é'.repeat(16) })).toThrow(/at least 32 characters/)
    expect(() => createSessions({ secrets: '🔑'.repeat(16) })).toThrow(/at least 32 characters/)
    expect(() => createSessions({ secrets: '🔑'.repeat(32) })).not.toThrow()
  })
})

describe('CookieStore sizes', () => {
  it('refuses at setExpiry() a date that would push the cookie past 4096 bytes', async () => {
    const sessions = createSessions<{ big: string }>({ secrets: SECRET, store: new CookieStore() })
    const session = await sessions.load(new Request('https://example.com/'))
    // Leaves less room than a date override takes.
    let size = 2700
    for (;;) {
      try {
        session.set('big', 'x'.repeat(size))
        size++
      } catch {
        break
      }
    }
    expect(() => session.setExpiry(new Date(Date.now() + 60_000))).toThrow(SessionTooLargeError)
    expect(session.expiresAt?.getTime()).toBeGreaterThan(Date.now() + 1000 * 60 * 60 * 24)
  })

  it('answers a clear 500 when an in-place change outgrew the cookie', async () => {
    const sessions = createSessions<{ list: string[] }>({
      secrets: SECRET,
      store: new CookieStore(),
    })
    const handler = sessions.wrap(async (request) => {
      const session = await sessions.load(request)
      session.set('list', [])
      session.get('list')!.push('x'.repeat(5000))
      return new Response('ok')
    })
    const response = await handler(new Request('https://example.com/'))
    expect(response.status).toBe(500)
    expect(await response.text()).toMatch(/session is too large/i)
    expect(response.headers.get('set-cookie')).toBeNull()
  })
})
