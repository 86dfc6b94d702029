import { describe, it, expect } from 'vitest'
import * as core from './index.ts'

describe('@fetch-session/core exports', () => {
  it('has exactly the public API', () => {
    expect(Object.keys(core).sort()).toMatchInlineSnapshot(`
      [
        "ANSWER_HEADERS",
        "CookieError",
        "CookieStore",
        "MAX_COOKIE_AGE",
        "MAX_COOKIE_SIZE",
        "MemoryStore",
        "Session",
        "SessionConfigError",
        "SessionDataError",
        "SessionError",
        "SessionStoreError",
        "SessionTooLargeError",
        "Sessions",
        "applySessionHeaders",
        "createSessions",
        "finishOnNodeResponse",
        "generateSessionId",
        "isSessionId",
        "isVersionedStore",
        "nodeResponse",
        "parseCookie",
        "privateCacheControl",
        "readCookie",
        "serializeCookie",
        "sign",
        "unsign",
        "varyWithCookie",
        "webCrypto",
        "withSessionHeaders",
      ]
    `)
  })
})
