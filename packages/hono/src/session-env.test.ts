import { createSessions } from '@fetch-session/core'
import type { Session, SessionData } from '@fetch-session/core'
import { Hono } from 'hono'
import type { ContextVariableMap, MiddlewareHandler } from 'hono'
import { describe, expectTypeOf, it } from 'vitest'
import { SECRET_A } from '@fetch-session/test-support'
import { session } from './session-middleware.ts'
import type { SessionEnv, SessionVariables } from './session-env.ts'

// Checked by the type checker (`pnpm typecheck`); at run time these are no-ops.

interface Cart {
  items: string[]
  user: string
}

const sessions = createSessions<Cart>({ secrets: [SECRET_A] })

describe('SessionEnv', () => {
  it('types c.var.session() and c.get("session")() from the app Env, without casts', () => {
    const app = new Hono<SessionEnv<Cart>>()
    app.use(session(sessions))
    app.get('/', async (c) => {
      expectTypeOf(c.var.session).toEqualTypeOf<() => Promise<Session<Cart>>>()
      const session = await c.var.session()
      expectTypeOf(session).toEqualTypeOf<Session<Cart>>()
      expectTypeOf(await c.get('session')()).toEqualTypeOf<Session<Cart>>()
      expectTypeOf(session.get('items')).toEqualTypeOf<string[] | undefined>()
      expectTypeOf(session.set<'user'>)
        .parameter(1)
        .toEqualTypeOf<string>()
      // @ts-expect-error: not a key of Cart
      session.get('nope')
      // @ts-expect-error: a number is not a user
      session.set('user', 1)
      return c.text('ok')
    })
  })

  it('types the session from the middleware alone when routes are chained after use()', () => {
    new Hono().use(session(sessions)).get('/', async (c) => {
      expectTypeOf(await c.var.session()).toEqualTypeOf<Session<Cart>>()
      return c.text('ok')
    })
  })

  it('combines with bindings and other variables', () => {
    type Bindings = { SESSION_SECRET: string }
    type AppEnv = SessionEnv<Cart> & { Bindings: Bindings; Variables: { requestId: string } }
    const app = new Hono<AppEnv>()
    app.use(session(sessions))
    app.get('/', async (c) => {
      expectTypeOf(c.env.SESSION_SECRET).toEqualTypeOf<string>()
      expectTypeOf(c.var.requestId).toEqualTypeOf<string>()
      expectTypeOf(await c.var.session()).toEqualTypeOf<Session<Cart>>()
      return c.text('ok')
    })
    const variables = {} as SessionVariables<Cart> & { requestId: string }
    expectTypeOf(variables.session).returns.resolves.toEqualTypeOf<Session<Cart>>()
  })

  it('types the middleware from its Sessions, or from an explicit type argument', () => {
    expectTypeOf(session(sessions)).toEqualTypeOf<MiddlewareHandler<SessionEnv<Cart>>>()
    expectTypeOf(session<Cart>({ secrets: SECRET_A })).toEqualTypeOf<
      MiddlewareHandler<SessionEnv<Cart>>
    >()
    expectTypeOf(session({ secrets: SECRET_A })).toEqualTypeOf<
      MiddlewareHandler<SessionEnv<SessionData>>
    >()
  })

  it('augments no global type: ContextVariableMap stays without a session', () => {
    expectTypeOf<ContextVariableMap>().not.toHaveProperty('session')
  })

  it('carries a separate flash type through the middleware', () => {
    interface Flash {
      notice: string
    }
    const flashing = createSessions<Cart, Flash>({ secrets: [SECRET_A] })
    const app = new Hono().use(session(flashing))
    app.get('/', async (c) => {
      const session = await c.var.session()
      expectTypeOf(session).toEqualTypeOf<Session<Cart, Flash>>()
      session.flash('notice', 'Added')
      expectTypeOf(session.get('notice')).toEqualTypeOf<string | undefined>()
      // @ts-expect-error: flash keys are those of Flash
      session.flash('user', 'ada')
      return c.text('ok')
    })
    expectTypeOf(session<Cart, Flash>({ secrets: [SECRET_A] })).toEqualTypeOf<
      MiddlewareHandler<SessionEnv<Cart, Flash>>
    >()
  })
})
