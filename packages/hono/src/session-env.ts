import type { Session, SessionData } from '@fetch-session/core'

/**
 * The context variables that the `session()` middleware sets. Intersect it with your own
 * variables when the app has more: `Variables: SessionVariables<Cart> & { user: User }`.
 * @typeParam Data the shape of the session data
 * @typeParam Flash the shape of the flash values; default: the same as `Data`
 */
export interface SessionVariables<Data extends object = SessionData, Flash extends object = Data> {
  /**
   * Loads the session of the current request: `const session = await c.var.session()`. The
   * cookie is verified and the store read on the first call only; later calls, from any
   * handler or middleware of the same request, return the same session. A request that never
   * calls it costs nothing.
   * @returns the session, committed by the middleware once the handler has answered
   * @throws SessionStoreError when the store fails
   */
  session: () => Promise<Session<Data, Flash>>
}

/**
 * The Hono `Env` of an app that uses the `session()` middleware, so that handlers get a typed
 * session without casts: `new Hono<SessionEnv<Cart>>()`. Intersect it with your own bindings
 * when the app has some: `new Hono<SessionEnv<Cart> & { Bindings: Bindings }>()`.
 * @typeParam Data the shape of the session data
 * @typeParam Flash the shape of the flash values; default: the same as `Data`
 * @see https://hono.dev/docs/api/context#set-get
 */
export interface SessionEnv<Data extends object = SessionData, Flash extends object = Data> {
  /** The variables the middleware sets: `c.var.session`. */
  Variables: SessionVariables<Data, Flash>
}
