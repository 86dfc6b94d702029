import { describe, expect, it } from 'vitest'
import * as testing from './index.ts'

describe('@fetch-session/testing exports', () => {
  it('has exactly the public API', () => {
    expect(Object.keys(testing).sort()).toEqual([
      'CookieJar',
      'JsonBody',
      'TestClient',
      'createTestClient',
      'describeStore',
      'jsonBody',
      'mintSessionCookie',
    ])
  })
})
