import type { IncomingMessage, ServerResponse } from 'node:http'
import express from 'express'
import type { ErrorRequestHandler } from 'express'
import { describe, expect, expectTypeOf, it } from 'vitest'
import { createSessions } from '@fetch-session/core'
import type { Session } from '@fetch-session/core'
import * as node from './index.ts'
import type { FetchHandler, SessionRequest } from './index.ts'

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
  interface Cart {
    items: string[]
    user: string
  }
  const sessions = createSessions<Cart>({ secrets: 'a-secret-of-at-least-thirty-two-characters' })

  it('types req.session from the Sessions object given to withSession', () => {
    node.withSession(sessions, (req, res) => {
      expectTypeOf(req.session).toEqualTypeOf<Session<Cart>>()
      expectTypeOf(req.session.get('items')).toEqualTypeOf<string[] | undefined>()
      expectTypeOf(res).toEqualTypeOf<ServerResponse>()
    })
    expectTypeOf<SessionRequest<Cart>>().toExtend<IncomingMessage>()
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
