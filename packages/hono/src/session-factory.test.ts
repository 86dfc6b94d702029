import { describe, it, expect, expectTypeOf } from 'vitest'
import { Hono } from 'hono'
import type { Context } from 'hono'
import { MemoryStore, createSessions } from '@fetch-session/core'
import type { Session, Sessions } from '@fetch-session/core'
import { session } from './index.ts'
import type { SessionEnv } from './index.ts'

interface Data {
  visits: number
}
interface Bindings {
  SECRET: string
}
type AppEnv = SessionEnv<Data> & { Bindings: Bindings }

describe('session(factory)', () => {
  it('builds the Sessions object from the first request context and reuses it', async () => {
    const made: Sessions<Data>[] = []
    let sessions: Sessions<Data> | undefined
    const store = new MemoryStore()
    const app = new Hono<AppEnv>()
    app.use(
      session((c: Context<AppEnv>) => {
        expectTypeOf(c.env).toEqualTypeOf<Bindings>()
        if (sessions === undefined) {
          sessions = createSessions<Data>({ secrets: [c.env.SECRET], store })
          made.push(sessions)
        }
        return sessions
      }),
    )
    app.get('/', async (c) => {
      const s = await c.var.session()
      expectTypeOf(s).toEqualTypeOf<Session<Data>>()
      s.set('visits', (s.get('visits') ?? 0) + 1)
      return c.json({ visits: s.get('visits') })
    })
    const env: Bindings = { SECRET: 'a-secret-from-the-bindings-0123456789' }
    const first = await app.request('/', {}, env)
    expect(await first.json()).toEqual({ visits: 1 })
    const cookie = first.headers.get('set-cookie')!.split(';')[0]!
    const second = await app.request('/', { headers: { cookie } }, env)
    expect(await second.json()).toEqual({ visits: 2 })
    expect(made).toHaveLength(1)
  })
})

describe('session<Data, Env>(factory)', () => {
  it('types the context from explicit type arguments', () => {
    const app = new Hono<AppEnv>()
    let sessions: Sessions<Data> | undefined
    app.use(
      session<Data, AppEnv>((c) => {
        expectTypeOf(c.env.SECRET).toEqualTypeOf<string>()
        return (sessions ??= createSessions<Data>({ secrets: [c.env.SECRET] }))
      }),
    )
    expectTypeOf(app).toEqualTypeOf<Hono<AppEnv>>()
  })
})
