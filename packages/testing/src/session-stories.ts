// Stories of sessions over a store, played through the public `Sessions` API with requests really
// in flight together: what the version 2 contract is for. Every call of the store is delayed by a
// random few milliseconds, so that parallel requests interleave as they do over a network.
import { expect } from 'vitest'
import { createSessions } from '@fetch-session/core'
import type {
  Session,
  SessionVersion,
  SessionWrite,
  SessionsOptions,
  VersionedSessionStore,
} from '@fetch-session/core'
import { createTestClient } from './test-client.ts'
import type { TestClient } from './test-client.ts'

const SECRET = 'the-session-stories-secret-0123456789'
const PARALLEL = 20

/** One story: a name and a function that throws when the store lets the sessions down. */
export interface SessionStory {
  name: string
  /** The user index is needed. */
  users?: boolean
  run(store: VersionedSessionStore): Promise<void>
}

interface Data {
  count: number
  items: number[]
  user: string
  [key: `k${number}`]: number
}

/**
 * A store whose every call waits a random 1 to 5 ms first, as a store over a network does.
 * @param store the store to delay
 * @returns the delaying store
 */
export function delayedStore(store: VersionedSessionStore): VersionedSessionStore {
  const wait = () => new Promise((resolve) => setTimeout(resolve, 1 + Math.random() * 4))
  const delayed: VersionedSessionStore = {
    read: async (id) => (await wait(), store.read(id)),
    write: async (id: string, write: SessionWrite, expected: SessionVersion | null) => (
      await wait(),
      store.write(id, write, expected)
    ),
    remove: async (id, expected?) => (await wait(), store.remove(id, expected)),
  }
  if (store.listByUser !== undefined) {
    const list = store.listByUser.bind(store)
    delayed.listByUser = async (userId) => (await wait(), list(userId))
  }
  return delayed
}

// A handler whose routes the stories drive; `hold` keeps a request in flight, after it loaded
// its session, until the story lets it go.
function app(store: VersionedSessionStore, options: Partial<SessionsOptions> = {}) {
  const sessions = createSessions<Data>({ secrets: SECRET, store: delayedStore(store), ...options })
  const holds = new Map<string, Promise<void>>()
  const handler = sessions.wrap(async (request) => {
    const url = new URL(request.url)
    const session = await sessions.load(request)
    const hold = holds.get(url.searchParams.get('hold') ?? '')
    if (hold !== undefined) await hold
    const key = url.searchParams.get('key')
    switch (url.pathname) {
      case '/count':
        session.update('count', (count = 0) => count + 1)
        break
      case '/push':
        session.update('items', (items = []) => [...items, Number(key)])
        break
      case '/set':
        session.set(`k${Number(key)}`, Number(key))
        break
      case '/login':
        session.login(key!)
        break
      case '/logout':
        session.destroy()
        break
      case '/regenerate':
        session.regenerate()
        break
    }
    return Response.json({ data: Object.fromEntries(session.entries()), handle: session.handle })
  })
  // Lets a request through once `release` is called.
  function held(name: string): () => void {
    let release!: () => void
    holds.set(name, new Promise<void>((resolve) => (release = resolve)))
    return release
  }
  return { sessions, handler, held }
}

async function data(client: TestClient): Promise<Record<string, unknown>> {
  return ((await (await client.get('/read')).json()) as { data: Record<string, unknown> }).data
}

// Waits until every request started so far has loaded its session and reached its hold.
const settle = () => new Promise((resolve) => setTimeout(resolve, 60))

/**
 * The stories, for `describeStore` to run on every store that keeps the version 2 contract.
 * @returns the stories, in the order they are best reported
 */
export function sessionStories(): SessionStory[] {
  return [
    {
      name: `${PARALLEL} parallel update() increments of one session all land`,
      async run(store) {
        const { handler } = app(store)
        const client = createTestClient(handler)
        await client.get('/count')
        await Promise.all(Array.from({ length: PARALLEL - 1 }, () => client.get('/count')))
        expect(await data(client)).toEqual({ count: PARALLEL })
      },
    },
    {
      name: '10 parallel update() pushes to one array keep all 10',
      async run(store) {
        const { handler } = app(store)
        const client = createTestClient(handler)
        await client.get('/push?key=0')
        await Promise.all(Array.from({ length: 9 }, (_, i) => client.get(`/push?key=${i + 1}`)))
        const items = (await data(client))['items'] as number[]
        expect([...items].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
      },
    },
    {
      name: `${PARALLEL} parallel set() calls of different keys keep all ${PARALLEL}`,
      async run(store) {
        const { handler } = app(store)
        const client = createTestClient(handler)
        await client.get('/set?key=0')
        await Promise.all(
          Array.from({ length: PARALLEL - 1 }, (_, i) => client.get(`/set?key=${i + 1}`)),
        )
        const expected = Object.fromEntries(
          Array.from({ length: PARALLEL }, (_, i) => [`k${i}`, i]),
        )
        expect(await data(client)).toEqual(expected)
      },
    },
    {
      name: 'a logout is final against a write in flight',
      async run(store) {
        const { handler, held } = app(store)
        const client = createTestClient(handler)
        await client.get('/count')
        const old = client.cookie('session')!
        const release = held('late')
        const late = client.get('/count?hold=late')
        await settle()
        await client.post('/logout')
        release()
        const response = await late
        expect(response.headers.get('set-cookie') ?? '').not.toContain(old)
        const replay = createTestClient(handler)
        replay.setCookie(`session=${old}`)
        expect(await data(replay)).toEqual({})
        expect(await store.read(old.split('.')[0]!)).toBeNull()
      },
    },
    {
      name: 'a logout is final against a read in flight whose expiry refresh is due',
      async run(store) {
        const { handler, held } = app(store, { touchInterval: 0 })
        const client = createTestClient(handler)
        await client.get('/count')
        const old = client.cookie('session')!
        const release = held('late')
        const late = client.get('/read?hold=late')
        await settle()
        await client.post('/logout')
        release()
        const response = await late
        expect(response.headers.get('set-cookie') ?? '').not.toContain(old)
        expect(await store.read(old.split('.')[0]!)).toBeNull()
      },
    },
    {
      name: 'regenerate() is final for the old id: a write in flight on it is dropped, not resurrected',
      async run(store) {
        const { handler, held } = app(store)
        const client = createTestClient(handler)
        await client.get('/count')
        const old = client.cookie('session')!
        const release = held('late')
        const late = createTestClient(handler)
        late.setCookie(`session=${old}`)
        const pending = late.get('/set?key=7&hold=late')
        await settle()
        await client.post('/regenerate')
        expect(client.cookie('session')!).not.toBe(old)
        release()
        const response = await pending
        // Within one process the move is known: the late response leaves the browser's new
        // cookie alone rather than expiring it.
        expect(response.headers.get('set-cookie')).toBeNull()
        expect(await store.read(old.split('.')[0]!)).toBeNull()
        expect(await data(client)).toEqual({ count: 1 })
      },
    },
    {
      name: 'endSessions() signs out every other browser of a user, also one with a request in flight',
      users: true,
      async run(store) {
        const { handler, held, sessions } = app(store)
        const user = `user-${Math.random().toString(36).slice(2)}`
        const browsers = [0, 1, 2].map(() => createTestClient(handler))
        for (const browser of browsers) await browser.post(`/login?key=${user}`)
        const release = held('late')
        const pending = browsers[1]!.get('/count?hold=late')
        await settle()
        const current = await browsers[0]!.session(sessions)
        expect(await sessions.endSessions(user, { except: current as Session<object> })).toBe(2)
        release()
        await pending
        const listed = await sessions.listSessions(user)
        expect(listed.map((info) => info.handle)).toEqual([current.handle])
        expect(await browsers[0]!.session(sessions)).toMatchObject({ userId: user })
        for (const browser of browsers.slice(1)) {
          expect(await browser.session(sessions)).toMatchObject({ userId: null, isNew: true })
        }
      },
    },
  ]
}
