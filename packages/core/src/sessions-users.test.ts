import { describe, it, expect } from 'vitest'
import {
  CookieStore,
  MemoryStore,
  SessionConfigError,
  SessionDataError,
  createSessions,
} from './index.ts'
import type { Session, SessionsOptions, VersionedSessionStore } from './index.ts'

const SECRET = 'a-secret-of-at-least-thirty-two-characters'

interface Data {
  cart: string[]
  device: string
}

function app(options: Partial<SessionsOptions> = {}) {
  const sessions = createSessions<Data>({ secrets: SECRET, store: new MemoryStore(), ...options })
  // A browser: its own cookie, requests through a wrapped handler.
  function browser() {
    let cookie = ''
    async function send<T>(
      act: (session: Session<Data>) => T,
    ): Promise<{ result: T; response: Response }> {
      let result!: T
      const response = await sessions.wrap(async (request) => {
        result = act(await sessions.load(request))
        return new Response('ok')
      })(new Request('https://example.com/', { headers: { cookie } }))
      const set = response.headers.get('set-cookie')
      if (set !== null) cookie = set.split(';')[0]!
      return { result, response }
    }
    return { send, cookie: () => cookie }
  }
  return { sessions, browser }
}

describe('session.login()', () => {
  it('binds the user, changes the cookie and keeps the cart', async () => {
    const { browser } = app()
    const ada = browser()
    await ada.send((s) => s.set('cart', ['apple']))
    const before = ada.cookie()
    const { result } = await ada.send((s) => {
      s.login('ada')
      return s.userId
    })
    expect(result).toBe('ada')
    expect(ada.cookie()).not.toBe(before)
    const after = await ada.send((s) => [s.userId, s.get('cart')])
    expect(after.result).toEqual(['ada', ['apple']])
  })

  it('starts empty when the session belonged to another user', async () => {
    const { browser } = app()
    const shared = browser()
    await shared.send((s) => {
      s.login('ada')
      s.set('cart', ['apple'])
    })
    await shared.send((s) => s.login('bob'))
    const { result } = await shared.send((s) => [s.userId, s.get('cart')])
    expect(result).toEqual(['bob', undefined])
  })

  it('is undone by clear(), which destroys the session as destroy() does', async () => {
    const { sessions, browser } = app()
    const ada = browser()
    await ada.send((s) => {
      s.login('ada')
      s.set('cart', ['apple'])
    })
    const { response, result } = await ada.send((s) => {
      s.clear()
      return s.userId
    })
    expect(result).toBeNull()
    expect(response.headers.get('set-cookie')).toMatch(/^session=; Max-Age=0/)
    expect(await sessions.listSessions('ada')).toEqual([])
    expect((await ada.send((s) => [s.isNew, s.userId])).result).toEqual([true, null])
  })

  it('stores a session with no data but a user', async () => {
    const { browser, sessions } = app()
    const ada = browser()
    const { response } = await ada.send((s) => s.login('ada'))
    expect(response.headers.get('set-cookie')).toMatch(/^session=/)
    expect(await sessions.listSessions('ada')).toHaveLength(1)
  })

  it('refuses anything but a non-empty string', async () => {
    const { browser } = app()
    await expect(browser().send((s) => s.login(''))).rejects.toBeInstanceOf(SessionDataError)
    await expect(browser().send((s) => s.login(42 as never))).rejects.toBeInstanceOf(
      SessionDataError,
    )
  })
})

describe("a user's sessions", () => {
  async function devices() {
    const context = app()
    const { browser } = context
    const ada = [browser(), browser(), browser()]
    const bob = browser()
    const handles: string[] = []
    const ids: string[] = []
    for (const [i, device] of ada.entries()) {
      const { result } = await device.send((s) => {
        s.login('ada')
        s.set('device', `device ${i}`)
        return [s.handle, s.id]
      })
      handles.push(result[0]!)
      ids.push(result[1]!)
      await new Promise((resolve) => setTimeout(resolve, 5))
    }
    await bob.send((s) => s.login('bob'))
    return { ...context, ada, bob, handles, ids }
  }

  it('lists exactly the live sessions of the user, most recently active first', async () => {
    const { sessions, handles, ids } = await devices()
    const listed = await sessions.listSessions('ada')
    expect(listed.map((info) => info.handle)).toEqual([...handles].reverse())
    expect(listed.map((info) => info.data.device)).toEqual(['device 2', 'device 1', 'device 0'])
    for (const info of listed) {
      expect(info.createdAt).toBeInstanceOf(Date)
      expect(info.lastActiveAt.getTime()).toBeGreaterThanOrEqual(info.createdAt.getTime())
      expect(info.expiresAt.getTime()).toBeGreaterThan(Date.now())
      for (const id of ids) expect(info.handle).not.toContain(id.slice(0, 8))
    }
    expect(await sessions.listSessions('nobody')).toEqual([])
  })

  it('refuses a user id that is not a non-empty string, as login() does', async () => {
    const { sessions } = await devices()
    await expect(sessions.listSessions('')).rejects.toBeInstanceOf(SessionDataError)
    await expect(sessions.endSessions(42 as never)).rejects.toBeInstanceOf(SessionDataError)
    await expect(sessions.endSession('', 'x')).rejects.toBeInstanceOf(SessionDataError)
    expect(await sessions.listSessions('ada')).toHaveLength(3)
  })

  it('lists first the session that changed last, however short ago', async () => {
    const { sessions, ada, handles } = await devices()
    await ada[0]!.send((s) => s.set('cart', ['apple']))
    const listed = await sessions.listSessions('ada')
    expect(listed.map((info) => info.handle)).toEqual([handles[0], handles[2], handles[1]])
    expect(listed[0]!.lastActiveAt.getTime()).toBeGreaterThan(listed[1]!.lastActiveAt.getTime())
  })

  it('gives a handle that is stable for the id and is not the id', async () => {
    const { ada, handles } = await devices()
    const { result } = await ada[0]!.send((s) => [s.handle, s.id])
    expect(result[0]).toBe(handles[0])
    expect(result[0]).not.toBe(result[1])
    expect(result[0]).toMatch(/^[A-Za-z0-9_-]{22}$/)
  })

  it('ends one session by its handle', async () => {
    const { sessions, ada, handles } = await devices()
    expect(await sessions.endSession('ada', handles[1]!)).toBe(true)
    expect(await sessions.endSession('ada', handles[1]!)).toBe(false)
    expect(await sessions.endSession('bob', handles[0]!)).toBe(false)
    const { result } = await ada[1]!.send((s) => [s.isNew, s.userId])
    expect(result).toEqual([true, null])
    expect((await sessions.listSessions('ada')).map((info) => info.handle)).not.toContain(
      handles[1],
    )
  })

  it('ends every other session, leaving the current one and other users alone', async () => {
    const { sessions, ada, bob } = await devices()
    let current!: Session<Data>
    let ended = 0
    await ada[0]!.send(() => {})
    const handler = sessions.wrap(async (request) => {
      current = await sessions.load(request)
      ended = await sessions.endSessions('ada', { except: current })
      return new Response('ok')
    })
    await handler(new Request('https://example.com/', { headers: { cookie: ada[0]!.cookie() } }))
    expect(ended).toBe(2)
    expect((await sessions.listSessions('ada')).map((info) => info.handle)).toEqual([
      current.handle,
    ])
    expect(await sessions.listSessions('bob')).toHaveLength(1)
    expect((await ada[2]!.send((s) => s.userId)).result).toBeNull()
    expect((await bob.send((s) => s.userId)).result).toBe('bob')
  })

  it('ends many sessions a few at a time', async () => {
    // A store that counts the removals in flight, each taking a turn of the event loop.
    const inner = new MemoryStore()
    let inFlight = 0
    let most = 0
    const store: VersionedSessionStore = {
      read: (id) => inner.read(id),
      write: (id, write, expected) => inner.write(id, write, expected),
      listByUser: (userId) => inner.listByUser(userId),
      async remove(id, expected) {
        most = Math.max(most, ++inFlight)
        await new Promise((resolve) => setTimeout(resolve, 1))
        inFlight--
        return inner.remove(id, expected)
      },
    }
    const { sessions, browser } = app({ store })
    for (let i = 0; i < 40; i++) await browser().send((s) => s.login('ada'))
    expect(await sessions.endSessions('ada')).toBe(40)
    expect(await sessions.listSessions('ada')).toEqual([])
    expect(most).toBeGreaterThan(1)
    expect(most).toBeLessThanOrEqual(16)
  })

  it('does not list a destroyed or an expired session', async () => {
    const { sessions, browser } = app({ idleTimeout: 1 })
    const gone = browser()
    await gone.send((s) => s.login('ada'))
    await gone.send((s) => s.destroy())
    const idle = browser()
    await idle.send((s) => s.login('ada'))
    expect(await sessions.listSessions('ada')).toHaveLength(1)
    await new Promise((resolve) => setTimeout(resolve, 1100))
    expect(await sessions.listSessions('ada')).toEqual([])
  })

  it('is refused, naming the stores that can, where the store keeps no user index', async () => {
    const sealed = createSessions({ secrets: SECRET, store: new CookieStore() })
    const v1 = createSessions({
      secrets: SECRET,
      store: { get: async () => null, set: async () => {}, delete: async () => {} },
    })
    for (const sessions of [sealed, v1]) {
      await expect(sessions.listSessions('ada')).rejects.toThrow(SessionConfigError)
      await expect(sessions.endSessions('ada')).rejects.toThrow(/MemoryStore.*RedisStore/)
      await expect(sessions.endSession('ada', 'x')).rejects.toThrow(/CookieStore, KVStore/)
    }
  })

  it('lets a CookieStore session log in, without listing', async () => {
    const { browser } = app({ store: new CookieStore() })
    const ada = browser()
    await ada.send((s) => s.login('ada'))
    expect((await ada.send((s) => s.userId)).result).toBe('ada')
  })
})
