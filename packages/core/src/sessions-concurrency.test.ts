import { describe, it, expect } from 'vitest'
import { MemoryStore, SessionStoreError, createSessions } from './index.ts'
import type { Session, SessionVersion, SessionWrite, SessionsOptions } from './index.ts'

const SECRET = 'a-secret-of-at-least-thirty-two-characters'

interface Data {
  count: number
  cart: string[]
  note: string
  other: string
  message: string
}

// Two requests of one browser: `first` loads, `second` runs to the end, then `first` commits.
// Each acts through its own handler, so the interleaving is exactly the one stated.
function race(options: Partial<SessionsOptions> = {}) {
  const store = options.store ?? new MemoryStore()
  const sessions = createSessions<Data>({ secrets: SECRET, ...options, store })
  let cookie = ''
  async function send(
    act: (session: Session<Data>) => unknown,
    hold?: Promise<void>,
    loaded?: () => void,
  ) {
    const request = new Request('https://example.com/', { headers: { cookie } })
    const response = await sessions.wrap(async (req) => {
      const session = await sessions.load(req)
      loaded?.()
      if (hold !== undefined) await hold
      await act(session)
      return new Response('ok')
    })(request)
    const set = response.headers.get('set-cookie')
    if (set !== null) cookie = set.split(';')[0]!
    return response
  }
  async function interleave(
    first: (session: Session<Data>) => unknown,
    second: (session: Session<Data>) => unknown,
  ) {
    let release!: () => void
    const hold = new Promise<void>((resolve) => (release = resolve))
    // The second request starts once the first has loaded: verifying the cookie can take a
    // turn of the event loop, so a fixed delay would let the first load after the second ends.
    let loaded!: () => void
    const ready = new Promise<void>((resolve) => (loaded = resolve))
    const late = send(first, hold, loaded)
    await ready
    await send(second)
    release()
    return late
  }
  return { store, sessions, send, interleave, cookie: () => cookie }
}

describe('commits of overlapping requests', () => {
  it('replays update(), set() and delete() of the late request on what the other stored', async () => {
    const { send, interleave } = race()
    await send((s) => {
      s.set('count', 1)
      s.set('note', 'old')
      s.set('other', 'kept')
    })
    await interleave(
      (s) => {
        s.update('count', (n = 0) => n + 10)
        s.delete('note')
      },
      (s) => {
        s.set('count', 5)
        s.set('other', 'fresh')
      },
    )
    let seen: unknown
    await send((s) => (seen = Object.fromEntries(s.entries())))
    expect(seen).toEqual({ count: 15, other: 'fresh' })
  })

  it('counts an in-place mutation as a set() of its top-level key', async () => {
    const { send, interleave } = race()
    await send((s) => s.set('cart', ['apple']))
    await interleave(
      (s) => s.get('cart')!.push('pear'),
      (s) => s.set('note', 'from the other tab'),
    )
    let seen: unknown
    await send((s) => (seen = Object.fromEntries(s.entries())))
    expect(seen).toEqual({ cart: ['apple', 'pear'], note: 'from the other tab' })
  })

  it('keeps a consumed flash consumed, and a flash the other request set', async () => {
    const { send, interleave } = race()
    await send((s) => s.flash('message', 'first'))
    await interleave(
      (s) => s.set('note', 'late'),
      (s) => s.flash('message', 'second'),
    )
    let seen: unknown
    await send((s) => (seen = [s.get('message'), s.get('note')]))
    expect(seen).toEqual(['second', 'late'])
    await send((s) => (seen = s.get('message')))
    expect(seen).toBeUndefined()
  })

  it('empties with clear() what the other request left: data, flash values and its user', async () => {
    const { store, sessions, send, interleave } = race()
    await send((s) => s.login('ada'))
    const late = await interleave(
      (s) => s.clear(),
      (s) => {
        s.flash('message', 'meanwhile')
        s.set('note', 'meanwhile')
      },
    )
    expect(late.headers.get('set-cookie')).toMatch(/^session=; Max-Age=0/)
    expect((store as MemoryStore).size).toBe(0)
    expect(await sessions.listSessions('ada')).toEqual([])
  })

  it('ends the session, writing nothing, when the other request destroyed it', async () => {
    const { store, send, interleave } = race()
    await send((s) => s.set('count', 1))
    const late = await interleave(
      (s) => s.set('note', 'too late'),
      (s) => s.destroy(),
    )
    expect(late.headers.get('set-cookie')).toMatch(/^session=; Max-Age=0/)
    expect((store as MemoryStore).size).toBe(0)
  })

  it('gives up with SessionStoreError code conflict, writing nothing, past the retry bound', async () => {
    const inner = new MemoryStore()
    let writes = 0
    // A store that some other writer always beats: every compare-and-set of an existing record
    // conflicts, and every re-read finds the record changed again.
    const contested = {
      read: (id: string) => inner.read(id),
      remove: (id: string, expected?: SessionVersion) => inner.remove(id, expected),
      async write(id: string, write: SessionWrite, expected: SessionVersion | null) {
        writes++
        if (expected === null) return inner.write(id, write, expected)
        const current = await inner.read(id)
        await inner.write(id, { ...write, record: current!.record }, current!.version)
        return null
      },
    }
    const { send } = race({ store: contested })
    await send((s) => s.set('count', 1))
    writes = 0
    const error = await send((s) => s.update('count', (n = 0) => n + 1)).catch((e) => e)
    expect(error).toBeInstanceOf(SessionStoreError)
    expect(error.code).toBe('conflict')
    expect(writes).toBeGreaterThan(5)
    let seen: unknown
    await send((s) => (seen = s.get('count')))
    expect(seen).toBe(1)
  })

  it('uses a version 1 store last-write-wins', async () => {
    const records = new Map<string, string>()
    const v1 = {
      get: async (id: string) => records.get(id) ?? null,
      set: async (id: string, record: string) => void records.set(id, record),
      delete: async (id: string) => void records.delete(id),
    }
    const { send, interleave } = race({ store: v1 })
    await send((s) => s.set('count', 1))
    await interleave(
      (s) => s.set('note', 'late'),
      (s) => s.set('other', 'lost'),
    )
    let seen: unknown
    await send((s) => (seen = Object.fromEntries(s.entries())))
    expect(seen).toEqual({ count: 1, note: 'late' })
  })
})
