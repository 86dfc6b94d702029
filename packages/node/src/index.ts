export { createListener } from './request-listener.ts'
export type { FetchHandler, ListenerOptions, NodeBindings } from './request-listener.ts'
export { serve } from './serve.ts'
export type { ServeOptions } from './serve.ts'
export { remoteAddress } from './remote-address.ts'
export type { RemoteAddress } from './remote-address.ts'
export { sessionMiddleware } from './session-middleware.ts'
export type {
  SessionMiddleware,
  SessionMiddlewareOptions,
  SessionRequest,
} from './session-middleware.ts'
export type { NodeSession, NodeSessionMethods, SessionCallback } from './node-session.ts'
export type { SessionCookie } from './session-cookie.ts'
export { sessionErrorHandler } from './session-error-handler.ts'
export type { SessionErrorHandler } from './session-error-handler.ts'
export { withSession } from './with-session.ts'
export type { WithSessionOptions } from './with-session.ts'
export { FileStore } from './file-store.ts'
export type { FileStoreOptions } from './file-store.ts'
export { nodeCrypto } from './node-crypto.ts'
