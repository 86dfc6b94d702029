// The floor experiment for sessions sealed in the cookie: the least work such a session can do
// on Hono, written by hand for the bench's one route (the middleware in src/floor-session.ts), as
// src/minimal-session.ts is for a server-side one. The data is sealed with AES-256-GCM from
// node:crypto under a key derived once; a cookie just sealed is remembered, so that the browser
// resending it costs no decryption, as fetch-session's CookieStore does. No expiry, no key ring,
// no size check, no error handling.
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto'
import type { Handler } from './apps.ts'
import { floorSession } from './floor-session.ts'
import type { FloorData } from './floor-session.ts'
import { SECRET } from './server-control.ts'

const IV_BYTES = 12
const TAG_BYTES = 16
const REMEMBERED = 1000

/** The floor: Hono with a hand-written session sealed in its cookie. */
export function minimalCookieSession(): Handler {
  const key = createHash('sha256').update(SECRET).digest()
  // Cookie values this process sealed or opened, and their plaintext.
  const opened = new Map<string, string>()
  return floorSession({
    find(value) {
      const plaintext = opened.get(value) ?? open(key, value)
      if (plaintext === undefined) return undefined
      return { data: JSON.parse(plaintext) as FloorData, before: plaintext }
    },
    keep(json) {
      const value = seal(key, json)
      if (opened.size >= REMEMBERED) opened.clear()
      opened.set(value, json)
      return value
    },
  })
}

function seal(key: Buffer, plaintext: string): string {
  const iv = randomBytes(IV_BYTES)
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES })
  const sealed = Buffer.concat([
    iv,
    cipher.update(plaintext, 'utf8'),
    cipher.final(),
    cipher.getAuthTag(),
  ])
  return sealed.toString('base64url')
}

function open(key: Buffer, value: string): string | undefined {
  const sealed = Buffer.from(value, 'base64url')
  if (sealed.length < IV_BYTES + TAG_BYTES) return undefined
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, IV_BYTES), {
      authTagLength: TAG_BYTES,
    })
    decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES))
    const body = sealed.subarray(IV_BYTES, sealed.length - TAG_BYTES)
    return Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8')
  } catch {
    return undefined
  }
}
