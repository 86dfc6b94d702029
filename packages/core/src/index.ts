export { createSessions, Sessions } from './sessions.ts'
export type { CommitOptions, EndSessionsOptions, SessionInfo } from './sessions.ts'
export type { SessionCookieOptions, SessionsOptions } from './sessions-options.ts'
export {
  applySessionHeaders,
  privateCacheControl,
  varyWithCookie,
  withSessionHeaders,
} from './session-headers.ts'
export type { SessionHeaders } from './session-headers.ts'
export { ANSWER_HEADERS } from './answer-headers.ts'
export { finishOnNodeResponse } from './finish-on-node-response.ts'
export { nodeResponse } from './node-response.ts'
export type { NodeResponse } from './node-response.ts'
export { Session } from './session.ts'
export type { SessionData, SessionExpiry, SessionValue } from './session.ts'
export { isVersionedStore } from './session-store.ts'
export type {
  SessionStore,
  SessionVersion,
  SessionWrite,
  StoredSession,
  UserSession,
  VersionedSessionStore,
} from './session-store.ts'
export { MemoryStore } from './memory-store.ts'
export type { MemoryStoreOptions } from './memory-store.ts'
export { CookieStore } from './cookie-store.ts'
export type { CookieStoreOptions } from './cookie-store.ts'
export { parseCookie, readCookie } from './cookie-parse.ts'
export type { Cookies, ParseCookieOptions } from './cookie-parse.ts'
export { MAX_COOKIE_AGE, MAX_COOKIE_SIZE, serializeCookie } from './cookie-serialize.ts'
export type { SerializeCookieOptions } from './cookie-serialize.ts'
export { sign, unsign } from './cookie-signing.ts'
export { webCrypto } from './session-crypto.ts'
export type { SessionCrypto } from './session-crypto.ts'
export type { Unsigned } from './cookie-signing.ts'
export { generateSessionId, isSessionId } from './session-id.ts'
export {
  CookieError,
  SessionConfigError,
  SessionDataError,
  SessionError,
  SessionStoreError,
  SessionTooLargeError,
} from './errors.ts'
export type { SessionErrorCode, SessionStoreOperation } from './errors.ts'
