// The session lifecycle as a browser sees it (first write, reads, forged and revoked cookies,
// regenerate, destroy, clear, flash, failed responses, secret rotation, timeouts), played with
// a cookie jar carried from one response to the next request, against the behaviour app on any
// host. Each host's test file calls `behaviourSuite` with a way to reach the app; the bodies
// here are never copied.
import { beforeEach, describe, it } from 'vitest'
import type { TestContext } from 'vitest'
import { CookieJar } from './cookie-jar.ts'
import { SHORT_ABSOLUTE, SHORT_IDLE } from './behaviour-app.ts'

/** How the stories reach the app. */
export interface BehaviourHost {
  /** Sends a request for `path` (such as `/a/count`) to the app and returns its response. */
  fetch(path: string, init?: RequestInit): Promise<Response>
  /** The sessions live in the cookie: an old cookie cannot be revoked server-side. */
  stateless?: boolean
}

const COOKIE = 'session'

/**
 * Defines the behaviour stories for one host.
 * @param label names the host in the test report
 * @param host called once the suite runs (after the host's beforeAll), returns the host
 */
export function behaviourSuite(label: string, host: () => BehaviourHost): void {
  // A browser: sends the jar's cookies, keeps the cookies it is given.
  async function send(jar: CookieJar, path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers)
    const cookie = jar.header()
    if (cookie !== undefined) headers.set('cookie', cookie)
    const response = await host().fetch(path, { ...init, headers, redirect: 'manual' })
    jar.store(response)
    return response
  }
  async function json(jar: CookieJar, path: string, init?: RequestInit): Promise<any> {
    const response = await send(jar, path, init)
    return response.json()
  }
  const post = { method: 'POST' }
  // A story about what the server forgets (a revoked or replaced id) cannot run where the
  // session lives in the cookie: it is reported as skipped there, not as passed.
  function needsServerSideStore({ skip }: TestContext): void {
    skip(host().stateless === true, 'the session lives in the cookie: nothing to revoke')
  }
  function needsCookieStore({ skip }: TestContext): void {
    skip(host().stateless !== true, 'the session lives in the store')
  }

  describe(`behaviour stories (${label})`, () => {
    // Every story asserts; the local `expect` counts this test's assertions even when the
    // host's suite runs its tests concurrently.
    beforeEach(({ expect }) => {
      expect.hasAssertions()
    })

    it('keeps a counter across requests under one cookie', async ({ expect }) => {
      const jar = new CookieJar()
      const first = await send(jar, '/a/count')
      expect(await first.json()).toEqual({ count: 1 })
      const setCookie = first.headers.get('set-cookie') ?? ''
      expect(setCookie).toMatch(
        /^session=[^;]+; Max-Age=1209600; Path=\/; HttpOnly; Secure; SameSite=Lax$/,
      )
      expect(first.headers.get('cache-control')).toBe('private')
      expect(first.headers.get('vary')).toMatch(/cookie/i)
      expect(await json(jar, '/a/count')).toEqual({ count: 2 })
      expect(await json(jar, '/a/count')).toEqual({ count: 3 })
    })

    it('neither re-signs nor re-sends the cookie while the id stays the same', async (context) => {
      needsServerSideStore(context)
      const { expect } = context
      const jar = new CookieJar()
      await send(jar, '/a/count')
      const cookie = jar.get(COOKIE)
      const second = await send(jar, '/a/count')
      expect(await second.json()).toEqual({ count: 2 })
      expect(second.headers.get('set-cookie')).toBeNull()
      expect(jar.get(COOKIE)).toBe(cookie)
    })

    it('seals every change into a new cookie value', async (context) => {
      needsCookieStore(context)
      const { expect } = context
      const jar = new CookieJar()
      await send(jar, '/a/count')
      const cookie = jar.get(COOKIE)
      const second = await send(jar, '/a/count')
      expect(await second.json()).toEqual({ count: 2 })
      expect(second.headers.get('set-cookie')).toMatch(/^session=/)
      expect(jar.get(COOKIE)).not.toBe(cookie)
    })

    it('sends no cookie and no Vary when the handler never loads the session', async ({
      expect,
    }) => {
      const jar = new CookieJar()
      const response = await send(jar, '/a/untouched')
      expect(response.headers.get('set-cookie')).toBeNull()
      expect(response.headers.get('vary')).toBeNull()
      await send(jar, '/a/count')
      const again = await send(jar, '/a/untouched')
      expect(again.headers.get('vary')).toBeNull()
      expect(again.headers.get('set-cookie')).toBeNull()
    })

    it('does not create a session for a read', async ({ expect }) => {
      const jar = new CookieJar()
      const response = await send(jar, '/a/read')
      expect(await response.json()).toEqual({ count: null, user: null, isNew: true })
      expect(response.headers.get('set-cookie')).toBeNull()
      expect(response.headers.get('vary')).toMatch(/cookie/i)
      expect(jar.header()).toBeUndefined()
    })

    const forgeries: Array<[string, (value: string) => string]> = [
      ['tampered', (value) => value.slice(0, -2) + (value.endsWith('AA') ? 'BB' : 'AA')],
      ['truncated', (value) => value.slice(0, value.length >> 1)],
      ['garbage', () => '%%%;;not-a-cookie'],
      ['empty', () => ''],
      ['unsigned id', (value) => value.split('.')[0]!],
    ]

    it.for(forgeries)('gives a fresh session for a %s cookie', async ([, forge], { expect }) => {
      const jar = new CookieJar()
      await send(jar, '/a/count')
      await send(jar, '/a/count')
      jar.set(COOKIE, forge(jar.get(COOKIE)!))
      const read = await send(jar, '/a/read')
      expect(await read.json()).toEqual({ count: null, user: null, isNew: true })
      expect(read.headers.get('set-cookie')).toBeNull()
      const forged = jar.get(COOKIE)
      expect(await json(jar, '/a/count')).toEqual({ count: 1 })
      expect(jar.get(COOKIE)).not.toBe(forged)
    })

    it.for(forgeries)(
      'gives a new id, not the original one signed again, after a %s cookie',
      async ([, forge], context) => {
        // A sealed cookie hides its id, so only a signed id can be compared.
        needsServerSideStore(context)
        const { expect } = context
        const jar = new CookieJar()
        await send(jar, '/a/count')
        const original = jar.get(COOKIE)!
        jar.set(COOKIE, forge(original))
        expect(await json(jar, '/a/count')).toEqual({ count: 1 })
        const id = (value: string | undefined) => value?.split('.')[0]
        expect(id(jar.get(COOKIE))).toMatch(/^[A-Za-z0-9_-]{32}$/)
        expect(id(jar.get(COOKIE))).not.toBe(id(original))
      },
    )

    it('gives a fresh session for a well-signed cookie whose id the store does not know', async (context) => {
      needsServerSideStore(context)
      const { expect } = context
      const jar = new CookieJar()
      await send(jar, '/a/count')
      const old = jar.get(COOKIE)!
      await send(jar, '/a/logout', post)
      jar.set(COOKIE, old)
      expect(await json(jar, '/a/read')).toEqual({ count: null, user: null, isNew: true })
    })

    it('regenerate() at login keeps the data under a new cookie', async ({ expect }) => {
      const jar = new CookieJar()
      await send(jar, '/a/count')
      const before = jar.get(COOKIE)!
      const login = await send(jar, '/a/login?value=ada', post)
      const after = jar.get(COOKIE)!
      expect(login.headers.get('set-cookie')).not.toBeNull()
      expect(after).not.toBe(before)
      expect(await json(jar, '/a/read')).toEqual({ count: 1, user: 'ada', isNew: false })
    })

    it('regenerate() at login retires the old id', async (context) => {
      needsServerSideStore(context)
      const { expect } = context
      const jar = new CookieJar()
      await send(jar, '/a/count')
      const before = jar.get(COOKIE)!
      await send(jar, '/a/login?value=ada', post)
      expect(await json(jar, '/a/read')).toEqual({ count: 1, user: 'ada', isNew: false })
      const attacker = new CookieJar()
      attacker.set(COOKIE, before)
      expect(await json(attacker, '/a/read')).toEqual({ count: null, user: null, isNew: true })
    })

    it('destroy() at logout expires the cookie', async ({ expect }) => {
      const jar = new CookieJar()
      await send(jar, '/a/login?value=ada', post)
      const logout = await send(jar, '/a/logout', post)
      expect(logout.headers.get('set-cookie')).toMatch(
        /^session=; Max-Age=0; Path=\/; Expires=Thu, 01 Jan 1970 00:00:00 GMT;/,
      )
      // A response that sets the session cookie is private to this browser: no shared cache
      // may keep it.
      expect(logout.headers.get('cache-control')).toBe('private')
      expect(jar.get(COOKIE)).toBeUndefined()
      expect(await json(jar, '/a/read')).toEqual({ count: null, user: null, isNew: true })
    })

    it('destroy() at logout deletes the record, so the old cookie no longer works', async (context) => {
      needsServerSideStore(context)
      const { expect } = context
      const jar = new CookieJar()
      await send(jar, '/a/login?value=ada', post)
      const cookie = jar.get(COOKIE)!
      expect(await json(jar, '/a/read')).toMatchObject({ user: 'ada', isNew: false })
      await send(jar, '/a/logout', post)
      const replay = new CookieJar()
      replay.set(COOKIE, cookie)
      expect(await json(replay, '/a/read')).toEqual({ count: null, user: null, isNew: true })
    })

    it('clear() expires the cookie like destroy()', async ({ expect }) => {
      const jar = new CookieJar()
      await send(jar, '/a/count')
      const response = await send(jar, '/a/clear', post)
      expect(response.headers.get('set-cookie')).toMatch(/Max-Age=0/)
      expect(jar.get(COOKIE)).toBeUndefined()
    })

    it('clear() deletes the record like destroy()', async (context) => {
      needsServerSideStore(context)
      const { expect } = context
      const jar = new CookieJar()
      await send(jar, '/a/count')
      const cookie = jar.get(COOKIE)!
      await send(jar, '/a/clear', post)
      // The old cookie, replayed, finds nothing.
      const replay = new CookieJar()
      replay.set(COOKIE, cookie)
      expect(await json(replay, '/a/read')).toEqual({ count: null, user: null, isNew: true })
    })

    it('shows a flash value on the next request only', async ({ expect }) => {
      const jar = new CookieJar()
      expect(await json(jar, '/a/flash?value=Added', post)).toEqual({ message: null })
      expect(await json(jar, '/a/flash')).toEqual({ message: 'Added' })
      expect(await json(jar, '/a/flash')).toEqual({ message: null })
      // The flash alone made the session; once read, nothing is left, so it is ended.
      expect(jar.get(COOKIE)).toBeUndefined()
    })

    it('saves a nested value mutated in place', async ({ expect }) => {
      const jar = new CookieJar()
      await send(jar, '/a/cart?value=apple', post)
      await send(jar, '/a/cart?value=pear', post)
      expect(await json(jar, '/a/cart')).toEqual({ cart: ['apple', 'pear'] })
    })

    it('persists nothing for a 5xx response or a thrown handler', async ({ expect }) => {
      const jar = new CookieJar()
      await send(jar, '/a/count')
      const failed = await send(jar, '/a/fail', post)
      expect(failed.status).toBe(500)
      expect(failed.headers.get('set-cookie')).toBeNull()
      expect(failed.headers.get('vary')).toMatch(/cookie/i)
      const threw = await send(jar, '/a/throw', post)
      expect(threw.status).toBe(500)
      expect(await json(jar, '/a/read')).toMatchObject({ count: 1 })
      const fresh = new CookieJar()
      const created = await send(fresh, '/a/fail', post)
      expect(created.headers.get('set-cookie')).toBeNull()
    })

    it('adds its headers to an immutable redirect response', async ({ expect }) => {
      const jar = new CookieJar()
      const response = await send(jar, '/a/redirect', post)
      expect(response.status).toBe(303)
      expect(response.headers.get('location')).toMatch(/\/a\/read$/)
      expect(response.headers.get('set-cookie')).toMatch(/^session=/)
      expect(await json(jar, '/a/read')).toMatchObject({ count: 1 })
    })

    it('accepts a cookie signed with an old secret and re-issues it under the new one', async ({
      expect,
    }) => {
      const jar = new CookieJar()
      await send(jar, '/a/count')
      const signedWithA = jar.get(COOKIE)!
      const rotated = await send(jar, '/rotated/read')
      expect(await rotated.json()).toMatchObject({ count: 1, isNew: false })
      expect(rotated.headers.get('set-cookie')).not.toBeNull()
      const signedWithB = jar.get(COOKIE)!
      expect(signedWithB).not.toBe(signedWithA)
      // Re-issued under B, the cookie works where A is no longer accepted...
      expect(await json(jar, '/b/read')).toMatchObject({ count: 1, isNew: false })
      // ...and a cookie still under A does not.
      const stale = new CookieJar()
      stale.set(COOKIE, signedWithA)
      expect(await json(stale, '/b/read')).toEqual({ count: null, user: null, isNew: true })
    })

    it('ends a session idle for longer than idleTimeout', async ({ expect }) => {
      // Two sessions: `active` is used all along, `idle` (made after it) never again.
      const active = new CookieJar()
      await send(active, '/short/count')
      const idle = new CookieJar()
      await send(idle, '/short/count')
      const cookie = idle.get(COOKIE)
      const started = Date.now()
      while (Date.now() - started < SHORT_IDLE * 1000 + 300) {
        await sleep(250)
        expect(await json(active, '/short/read')).toMatchObject({ count: 1, isNew: false })
      }
      idle.set(COOKIE, cookie) // keep the cookie past its Max-Age, as a replaying client would
      expect(await json(idle, '/short/read')).toMatchObject({ count: null, isNew: true })
      // The older session is still alive after that read, so the absolute timeout had not come
      // for either: idleness alone ended the other.
      expect(await json(active, '/short/read')).toMatchObject({ count: 1, isNew: false })
    }, 15_000)

    it('ends an active session after absoluteTimeout', async ({ expect }) => {
      const jar = new CookieJar()
      await send(jar, '/short/count')
      const cookie = jar.get(COOKIE)
      const started = Date.now()
      while (Date.now() - started < SHORT_ABSOLUTE * 1000 - 700) {
        await sleep(400)
        expect(await json(jar, '/short/read')).toMatchObject({ count: 1, isNew: false })
      }
      await sleep(Math.max(0, SHORT_ABSOLUTE * 1000 + 300 - (Date.now() - started)))
      jar.set(COOKIE, cookie)
      expect(await json(jar, '/short/read')).toMatchObject({ count: null, isNew: true })
    }, 15_000)
  })
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)))
}
