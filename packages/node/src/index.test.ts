import type { IncomingMessage, ServerResponse } from 'node:http'
import express from 'express'
import type { ErrorRequestHandler } from 'express'
import { describe, expect, expectTypeOf, it } from 'vitest'
import { createSessions } from '@fetch-session/core'
import type { Session } from '@fetch-session/core'
import * as node from './index.ts'
import type {
  FetchHandler,
  NodeSession,
  SessionCallback,
  SessionCookie,
  SessionRequest,
} from './index.ts'

describe('@fetch-session/node exports', () => {
  it('has exactly the public API', () => {
    expect(Object.keys(node).sort()).toMatchInlineSnapshot(`
      [
        "FileStore",
        "createListener",
        "nodeCrypto",
        "remoteAddress",
        "serve",
        "sessionErrorHandler",
        "sessionMiddleware",
        "withSession",
      ]
    `)
  })
})

describe('types', () => {
  it('carries a separate flash type to req.session', () => {
    interface Flash {
      notice: string
    }
    const flashing = createSessions<{ user: string }, Flash>({
      secrets: 'types-only-secret-0123456789-0123456789',
    })
    node.withSession(flashing, (req) => {
      expectTypeOf(req.session).toExtend<Session<{ user: string }, Flash>>()
      expectTypeOf(req.session.get('notice')).toEqualTypeOf<string | undefined>()
      req.session.flash('notice', 'Saved')
      // @ts-expect-error: flash keys are those of Flash
      req.session.flash('user', 'ada')
    })
  })

  interface Cart {
    items: string[]
    user: string
  }
  const sessions = createSessions<Cart>({ secrets: 'a-secret-of-at-least-thirty-two-characters' })

  it('types req.session from the Sessions object given to withSession', () => {
    node.withSession(sessions, (req, res) => {
      expectTypeOf(req.session).toEqualTypeOf<NodeSession<Cart>>()
      expectTypeOf(req.session).toExtend<Session<Cart>>()
      expectTypeOf(req.session.get('items')).toEqualTypeOf<string[] | undefined>()
      expectTypeOf(res).toEqualTypeOf<ServerResponse>()
    })
    expectTypeOf<SessionRequest<Cart>>().toExtend<IncomingMessage>()
  })

  it("types req.session's express-session forms and its data as properties", () => {
    node.withSession(sessions, (req) => {
      const session = req.session
      expectTypeOf(session.user).toEqualTypeOf<string | undefined>()
      expectTypeOf(session.items).toEqualTypeOf<string[] | undefined>()
      session.user = 'ada'
      // @ts-expect-error the data's own type applies to properties too
      session.user = 42
      expectTypeOf(session.save).parameter(0).toEqualTypeOf<SessionCallback | undefined>()
      expectTypeOf(session.reload).parameter(0).toEqualTypeOf<SessionCallback>()
      expectTypeOf(session.regenerate).parameter(0).toEqualTypeOf<SessionCallback | undefined>()
      expectTypeOf(session.destroy).parameter(0).toEqualTypeOf<SessionCallback | undefined>()
      expectTypeOf(session.touch()).toEqualTypeOf<NodeSession<Cart>>()
      expectTypeOf(session.cookie).toEqualTypeOf<SessionCookie>()
      expectTypeOf(session.cookie.maxAge).toEqualTypeOf<number | null>()
      expectTypeOf(session.cookie.expires).toEqualTypeOf<Date | null>()
      expectTypeOf<SessionCallback>().parameter(0).toEqualTypeOf<Error | null>()
    })
  })

  it('leaves keys named like a member of the session to get() and set()', () => {
    const named = createSessions<{ id: number; flash: string }>({
      secrets: 'a-secret-of-at-least-thirty-two-characters',
    })
    node.withSession(named, (req) => {
      expectTypeOf(req.session.id).toEqualTypeOf<string>()
      expectTypeOf(req.session.get('id')).toEqualTypeOf<number | undefined>()
      expectTypeOf(req.session.flash).toBeFunction()
    })
  })

  it('mounts on Express, and SessionRequest extends Express requests', () => {
    const app = express()
    app.use(node.sessionMiddleware(sessions))
    app.get('/', (req, res) => {
      const session = (req as SessionRequest<Cart, typeof req>).session
      expectTypeOf(session.get('user')).toEqualTypeOf<string | undefined>()
      res.end()
    })
    app.use(node.sessionErrorHandler())
    expectTypeOf(node.sessionErrorHandler()).toExtend<ErrorRequestHandler>()
    // Express tells an error handler by its four declared parameters.
    expect(node.sessionErrorHandler()).toHaveLength(4)
  })

  it('serves what sessions.wrap() returns', () => {
    const handler = sessions.wrap(async (request) => {
      const session = await sessions.load(request)
      return new Response(session.get('user') ?? 'anonymous')
    })
    expectTypeOf(handler).toExtend<FetchHandler>()
    expectTypeOf(node.serve).parameter(0).toEqualTypeOf<FetchHandler>()
  })
})
