import { createServer } from 'node:http'
import type { Server } from 'node:http'
import express from 'express'
import type { Request } from 'express'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createSessions, MemoryStore, Session, SessionDataError } from '@fetch-session/core'
import type { SessionData } from '@fetch-session/core'
import { SECRET_A } from '@fetch-session/test-support'
import type { NodeSession } from './node-session.ts'
import { sessionMiddleware } from './session-middleware.ts'
import type { SessionRequest } from './session-middleware.ts'
import { withSession } from './with-session.ts'
import { cookiePairs, rawRequest } from './test-support/raw-request.ts'
import type { RawResponse } from './test-support/raw-request.ts'
import { close, listen } from './test-support/servers.ts'

const sessions = createSessions({ secrets: SECRET_A, store: new MemoryStore() })

function s(req: Request): NodeSession<SessionData> {
  return (req as SessionRequest<SessionData, typeof req>).session
}

// What a callback was called with, as JSON can carry it.
function outcome(error: Error | null): string | null {
  return error === null ? null : ((error as { code?: string }).code ?? error.name)
}

// passport 0.7's SessionManager.logIn and logOut (lib/sessionmanager.js), as it calls
// express-session, with serializeUser inlined and keepSessionInfo left at its default.
function passportLogIn(req: Request, user: string, cb: (error?: Error | null) => void): void {
  const session = req.session as unknown as Record<string, any>
  session.regenerate((err: Error | null) => {
    if (err) return cb(err)
    if (!session.passport) session.passport = {}
    session.passport.user = user
    session.save((err: Error | null) => {
      if (err) return cb(err)
      cb()
    })
  })
}

function passportLogOut(req: Request, cb: (error?: Error | null) => void): void {
  const session = req.session as unknown as Record<string, any>
  if (session.passport) delete session.passport.user
  session.save((err: Error | null) => {
    if (err) return cb(err)
    session.regenerate((err: Error | null) => {
      if (err) return cb(err)
      cb()
    })
  })
}

// Settled by the routes that call back after their response, for the tests to await.
const late: Promise<unknown>[] = []

let server: Server
let base: string

beforeAll(async () => {
  const app = express()
  app.use(sessionMiddleware(sessions))
  app.get('/read', (req, res) => {
    res.json({ ...Object.fromEntries(s(req).entries()), isNew: s(req).isNew })
  })
  app.post('/cart/:item', (req, res) => {
    const session = s(req) as NodeSession<{ cart: string[] }>
    if (session.cart === undefined) session.cart = [req.params.item!]
    else session.cart.push(req.params.item!)
    res.json({ cart: session.cart })
  })
  app.post('/login/:user', (req, res) => {
    const order: string[] = []
    s(req).regenerate((error) => {
      order.push('regenerated')
      s(req).user = req.params.user
      s(req).save((saved) => {
        res.json({ order, regenerate: outcome(error), save: outcome(saved), cart: s(req).cart })
      })
    })
    order.push('returned')
  })
  app.post('/logout', (req, res) => {
    s(req).destroy((error) => res.json({ destroy: outcome(error) }))
  })
  app.post('/property', (req, res) => {
    const session = s(req)
    session.user = 'ada'
    session.visits = 1
    session.draft = 'text'
    delete session.draft
    session.note = 'kept'
    session.note = undefined
    const seen = {
      user: session.user,
      get: session.get('user'),
      keys: Object.keys(session),
      json: JSON.parse(JSON.stringify(session)),
      inUser: 'user' in session,
      inDraft: 'draft' in session,
      hasDraft: session.has('draft'),
    }
    res.json(seen)
  })
  app.post('/property/delete', (req, res) => {
    delete s(req).user
    res.json({ user: s(req).user ?? null })
  })
  app.post('/property/refused', (req, res) => {
    const refused = (write: () => void) => {
      try {
        write()
        return null
      } catch (error) {
        return [(error as Error).name, (error as Error).message]
      }
    }
    res.json({
      method: refused(() => {
        ;(s(req) as unknown as Record<string, unknown>).flash = {}
      }),
      getter: refused(() => {
        ;(s(req) as unknown as Record<string, unknown>).id = 'mine'
      }),
      date: refused(() => {
        s(req).when = new Date()
      }),
      dateIsDataError: (() => {
        try {
          s(req).when = new Date()
        } catch (error) {
          return error instanceof SessionDataError
        }
        return false
      })(),
      flashStillWorks: typeof s(req).flash === 'function',
    })
  })
  app.post('/reload', (req, res) => {
    const before = s(req)
    before.count = 50
    before.reload((error) => {
      const after = s(req)
      after.reloaded = true
      res.json({ reload: outcome(error), count: after.count, replaced: after !== before })
    })
  })
  app.post('/count', (req, res) => {
    s(req).update('count', (count = 0) => (count as number) + 1)
    res.json({ count: s(req).count })
  })
  app.get('/touch', (req, res) => {
    res.json({ same: s(req).touch() === s(req), count: s(req).count ?? null })
  })
  app.get('/cookie', (req, res) => {
    const { id, cookie } = s(req)
    res.json({ id, maxAge: cookie.maxAge, expires: cookie.expires })
  })
  app.post('/cookie/remember', (req, res) => {
    s(req).cookie.maxAge = 30 * 24 * 60 * 60 * 1000
    res.end()
  })
  app.post('/cookie/attribute', (req, res) => {
    try {
      ;(s(req).cookie as unknown as { secure: boolean }).secure = false
      res.json({ error: null })
    } catch (error) {
      res.json({ error: [(error as Error).name, (error as Error).message] })
    }
  })
  app.post('/passport/login/:user', (req, res, next) => {
    passportLogIn(req, req.params.user!, (error) => (error ? next(error) : res.redirect(303, '/')))
  })
  app.post('/passport/logout', (req, res, next) => {
    passportLogOut(req, (error) => (error ? next(error) : res.redirect(303, '/')))
  })
  app.get('/passport/user', (req, res) => {
    const passport = s(req).passport as { user?: string } | undefined
    res.json({ user: passport?.user ?? null })
  })
  app.post('/late', (req, res) => {
    res.send('answered')
    const session = s(req)
    const called = (method: string, call: (callback: (error: Error | null) => void) => void) =>
      new Promise((resolve) => call((error) => resolve([method, outcome(error)])))
    late.push(
      Promise.all([
        called('save', (cb) => session.save(cb)),
        called('reload', (cb) => session.reload(cb)),
        called('regenerate', (cb) => session.regenerate(cb)),
        called('destroy', (cb) => session.destroy(cb)),
      ]),
    )
  })
  app.post('/except', async (req, res) => {
    s(req).login('grace')
    const others = await sessions.endSessions('grace', { except: s(req) })
    res.json({ isSession: s(req) instanceof Session, others })
  })
  app.post('/await-save', async (req, res) => {
    s(req).user = 'ada'
    const saved = await s(req).save()
    res.json({ same: saved === s(req) })
  })
  app.post('/callback-types', (req, res) => {
    const thrown = (call: () => unknown) => {
      try {
        call()
        return null
      } catch (error) {
        return (error as Error).message
      }
    }
    const loose = s(req) as unknown as Record<string, (arg?: unknown) => unknown>
    res.json({
      reload: thrown(() => loose.reload!()),
      save: thrown(() => loose.save!('later')),
    })
  })
  server = createServer(app)
  base = await listen(server)
})
afterAll(() => close(server))

function post(path: string, cookie?: string): Promise<RawResponse> {
  return rawRequest(base + path, { method: 'POST', headers: cookie ? { cookie } : {} })
}

function get(path: string, cookie?: string): Promise<RawResponse> {
  return rawRequest(base + path, { headers: cookie ? { cookie } : {} })
}

function json(response: RawResponse): any {
  return JSON.parse(response.body.toString())
}

describe('req.session.regenerate(callback)', () => {
  it('starts an empty session under a new id, removes the old one and calls back later', async () => {
    const first = await post('/cart/apple')
    const before = cookiePairs(first)[0]!
    const login = await post('/login/ada', before)
    expect(json(login)).toEqual({
      order: ['returned', 'regenerated'],
      regenerate: null,
      save: null,
    })
    const after = cookiePairs(login)[0]!
    expect(after).not.toBe(before)
    expect(json(await get('/read', after))).toEqual({ user: 'ada', isNew: false })
    // The old id is gone from the store, data and all.
    expect(json(await get('/read', before))).toEqual({ isNew: true })
  })
})

describe('req.session.destroy(callback)', () => {
  it('ends the session, expires the cookie and calls back with null', async () => {
    const login = await post('/login/ada')
    const cookie = cookiePairs(login)[0]!
    const logout = await post('/logout', cookie)
    expect(json(logout)).toEqual({ destroy: null })
    expect(logout.headers['set-cookie']?.[0]).toMatch(/^session=; Max-Age=0;/)
    expect(json(await get('/read', cookie))).toEqual({ isNew: true })
  })
})

describe('req.session.save(callback)', () => {
  it('calls back with null before the response, and with an error after it started', async () => {
    const login = await post('/login/ada')
    expect(json(login).save).toBeNull()
    const cookie = cookiePairs(login)[0]!
    late.length = 0
    expect((await post('/late', cookie)).body.toString()).toBe('answered')
    // Every callback form is told, none left uncalled, and none of them changed the session.
    expect(await late[0]).toEqual([
      ['save', 'SESSION_CHANGED_AFTER_HEAD'],
      ['reload', 'SESSION_CHANGED_AFTER_HEAD'],
      ['regenerate', 'SESSION_CHANGED_AFTER_HEAD'],
      ['destroy', 'SESSION_CHANGED_AFTER_HEAD'],
    ])
    expect(json(await get('/read', cookie))).toEqual({ user: 'ada', isNew: false })
  })

  it('can be awaited without a callback, as iron-session code does', async () => {
    const response = await post('/await-save')
    expect(json(response)).toEqual({ same: true })
    expect(json(await get('/read', cookiePairs(response)[0]!))).toEqual({
      user: 'ada',
      isNew: false,
    })
  })

  it('refuses a callback that is not a function, and reload() without one', async () => {
    expect(json(await post('/callback-types'))).toEqual({
      reload: 'req.session.reload() takes a callback function',
      save: 'req.session.save() takes a callback function',
    })
  })
})

describe('req.session.reload(callback)', () => {
  it("drops this request's changes, puts a new object on req.session, and saves what follows", async () => {
    const first = await post('/count')
    const cookie = cookiePairs(first)[0]!
    const reload = await post('/reload', cookie)
    expect(json(reload)).toEqual({ reload: null, count: 1, replaced: true })
    expect(json(await get('/read', cookie))).toEqual({ count: 1, reloaded: true, isNew: false })
  })
})

describe('req.session.touch()', () => {
  it('returns the session and writes nothing', async () => {
    const first = await post('/count')
    const cookie = cookiePairs(first)[0]!
    const touched = await get('/touch', cookie)
    expect(json(touched)).toEqual({ same: true, count: 1 })
    expect(touched.headers['set-cookie']).toBeUndefined()
  })
})

describe('req.session.id and req.session.cookie', () => {
  it('give the id the cookie carries and the time left', async () => {
    const first = await post('/count')
    const cookie = cookiePairs(first)[0]!
    const read = json(await get('/cookie', cookie))
    expect(cookie.slice('session='.length).split('.')[0]).toBe(read.id)
    const twoWeeks = 14 * 24 * 60 * 60 * 1000
    expect(read.maxAge).toBeGreaterThan(twoWeeks - 60_000)
    expect(read.maxAge).toBeLessThanOrEqual(twoWeeks)
    expect(Date.parse(read.expires) - Date.now()).toBeGreaterThan(twoWeeks - 60_000)
  })

  it('sets one session’s lifetime through cookie.maxAge, and refuses other attributes', async () => {
    const first = await post('/count')
    const cookie = cookiePairs(first)[0]!
    const remembered = await post('/cookie/remember', cookie)
    expect(remembered.headers['set-cookie']?.[0]).toMatch(/; Max-Age=2592000;/)
    // Read back as stored: the new lifetime shows from the next request.
    expect(json(await get('/cookie', cookie)).maxAge).toBeGreaterThan(2592000 * 1000 - 60_000)
    expect(json(await post('/cookie/attribute', cookie)).error).toEqual([
      'TypeError',
      expect.stringContaining('set it once, in createSessions()'),
    ])
  })
})

describe('req.session properties', () => {
  it('read, write and delete the data as express-session code does', async () => {
    const written = await post('/property')
    expect(json(written)).toEqual({
      user: 'ada',
      get: 'ada',
      keys: ['user', 'visits'],
      json: { user: 'ada', visits: 1 },
      inUser: true,
      inDraft: false,
      hasDraft: false,
    })
    const cookie = cookiePairs(written)[0]!
    expect(json(await get('/read', cookie))).toEqual({ user: 'ada', visits: 1, isNew: false })
    expect(json(await post('/property/delete', cookie))).toEqual({ user: null })
    expect(json(await get('/read', cookie))).toEqual({ visits: 1, isNew: false })
  })

  it('save a nested value changed in place', async () => {
    const first = await post('/cart/apple')
    const cookie = cookiePairs(first)[0]!
    expect(json(await post('/cart/pear', cookie))).toEqual({ cart: ['apple', 'pear'] })
    expect(json(await get('/read', cookie))).toEqual({ cart: ['apple', 'pear'], isNew: false })
  })

  it('refuse, at the line, a method name and a value JSON would change', async () => {
    const refused = json(await post('/property/refused'))
    expect(refused.method).toEqual([
      'TypeError',
      'req.session.flash is part of the session\'s API, not its data: store a value under this name with req.session.set("flash", value)',
    ])
    expect(refused.getter[0]).toBe('TypeError')
    expect(refused.date[0]).toBe('SessionDataError')
    expect(refused.dateIsDataError).toBe(true)
    expect(refused.flashStillWorks).toBe(true)
  })

  it('belong to the core Session itself, which the core accepts back', async () => {
    const elsewhere = cookiePairs(await post('/except'))[0]!
    const here = await post('/except')
    expect(json(here)).toEqual({ isSession: true, others: 1 })
    expect(json(await get('/read', elsewhere))).toEqual({ isNew: true })
  })
})

describe('passport 0.7 login and logout', () => {
  it('log in under a new id and log out for good', async () => {
    const anonymous = cookiePairs(await post('/cart/apple'))[0]!
    const login = await post('/passport/login/ada', anonymous)
    expect(login.status).toBe(303)
    const cookie = cookiePairs(login)[0]!
    expect(cookie).not.toBe(anonymous)
    expect(json(await get('/passport/user', cookie))).toEqual({ user: 'ada' })
    const logout = await post('/passport/logout', cookie)
    expect(logout.status).toBe(303)
    expect(json(await get('/passport/user', cookie))).toEqual({ user: null })
    expect(json(await get('/read', anonymous))).toEqual({ isNew: true })
  })
})

describe('req.session under withSession()', () => {
  it('has the callback forms and the properties too', async () => {
    const plain = createServer(
      withSession(sessions, (req, res) => {
        if (req.method === 'POST') {
          req.session.regenerate(() => {
            req.session.user = 'ada'
            res.end('in')
          })
          return
        }
        res.end(String(req.session.user ?? 'nobody'))
      }),
    )
    const url = await listen(plain)
    try {
      const login = await rawRequest(url, { method: 'POST' })
      const cookie = cookiePairs(login)[0]!
      expect((await rawRequest(url, { headers: { cookie } })).body.toString()).toBe('ada')
    } finally {
      await close(plain)
    }
  })
})
