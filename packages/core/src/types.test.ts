import { describe, it, expectTypeOf } from 'vitest'
import { createSessions } from './index.ts'
import type { Session, Sessions } from './index.ts'

interface Cart {
  items: { sku: string; qty: number }[]
  user: string
}

describe('types', () => {
  it('carries the data type from createSessions to the session', () => {
    const sessions = createSessions<Cart>({ secrets: 'x'.repeat(32) })
    expectTypeOf(sessions).toEqualTypeOf<Sessions<Cart>>()
    expectTypeOf(sessions.load).returns.resolves.toEqualTypeOf<Session<Cart>>()
    expectTypeOf<Session<Cart>['get']>().toBeCallableWith('items')
    expectTypeOf<ReturnType<Session<Cart>['get']>>().toEqualTypeOf<
      Cart['items'] | Cart['user'] | undefined
    >()
  })

  it('keeps the extra arguments of a wrapped handler', () => {
    const sessions = createSessions({ secrets: 'x'.repeat(32) })
    const handler = sessions.wrap(
      async (
        _request: Request,
        env: { KV: string },
        _ctx: { waitUntil(p: Promise<unknown>): void },
      ) => new Response(env.KV),
    )
    expectTypeOf(handler).parameters.toEqualTypeOf<
      [Request, { KV: string }, { waitUntil(p: Promise<unknown>): void }]
    >()
    expectTypeOf(handler).returns.toEqualTypeOf<Promise<Response>>()
  })

  it('defaults to a record of unknown values', async () => {
    const sessions = createSessions({ secrets: 'x'.repeat(32) })
    const session = await sessions.load(new Request('https://example.com/'))
    expectTypeOf(session.get('anything')).toEqualTypeOf<unknown>()
  })

  it('types flash values apart from the data with a second parameter', async () => {
    interface Flash {
      notice: string
      error: { field: string }
    }
    const sessions = createSessions<Cart, Flash>({ secrets: 'x'.repeat(32) })
    expectTypeOf(sessions).toEqualTypeOf<Sessions<Cart, Flash>>()
    const session = await sessions.load(new Request('https://example.com/'))
    expectTypeOf(session).toEqualTypeOf<Session<Cart, Flash>>()
    expectTypeOf(session.flash).toBeCallableWith('notice', 'Added')
    // @ts-expect-error: flash keys are those of Flash, not of the data
    session.flash('user', 'ada')
    // @ts-expect-error: nor is a data key set with a flash value's type
    session.set('notice', 'x')
    expectTypeOf(session.get('notice')).toEqualTypeOf<string | undefined>()
    expectTypeOf(session.get('user')).toEqualTypeOf<string | undefined>()
    expectTypeOf(session.get('error')).toEqualTypeOf<{ field: string } | undefined>()
  })
})
