// The floor experiment for sessions sealed in the cookie: the least work such a session can do
// on Hono, written by hand for this one route (as src/minimal-session.ts is for a server-side
// one). The data is sealed with AES-256-GCM from node:crypto under a key derived once; a cookie
// just sealed is remembered, so that the browser resending it costs no decryption, as
// fetch-session's CookieStore does. No expiry, no key ring, no size check, no error handling.
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto'
import { Hono } from 'hono'
import type { Handler } from './apps.ts'
import { COUNTER_PATH, IDLE_SECONDS, SECRET, UNTOUCHED_PATH } from './server-control.ts'

const NAME = 'sid='
const IV_BYTES = 12
const TAG_BYTES = 16
const REMEMBERED = 1000

interface Env {
  Variables: { session: () => { count?: number } }
  Bindings: { outgoing: { setHeader(name: string, value: string): unknown } }
}

/** The floor: Hono with a hand-written session sealed in its cookie. */
export function minimalCookieSession(): Handler {
  const key = createHash('sha256').update(SECRET).digest()
  // Cookie values this process sealed or opened, and their plaintext.
  const opened = new Map<string, string>()
  const app = new Hono<Env>()
  app.use(async (c, next) => {
    let data: { count?: number } | undefined
    let before = ''
    let asked = false
    c.set('session', () => {
      asked = true
      if (data !== undefined) return data
      const value = cookieValue(c.req.raw.headers.get('cookie'))
      const plaintext = value === undefined ? undefined : (opened.get(value) ?? open(key, value))
      if (plaintext !== undefined) {
        before = plaintext
        data = JSON.parse(plaintext) as { count?: number }
        return data
      }
      data = {}
      return data
    })
    await next()
    if (!asked) return
    const outgoing = c.env.outgoing
    outgoing.setHeader('Vary', 'Cookie')
    const after = JSON.stringify(data)
    if (after === before) return
    const value = seal(key, after)
    if (opened.size >= REMEMBERED) opened.clear()
    opened.set(value, after)
    outgoing.setHeader(
      'Set-Cookie',
      `sid=${value}; Max-Age=${IDLE_SECONDS}; Path=/; HttpOnly; SameSite=Lax`,
    )
  })
  app.get(COUNTER_PATH, (c) => {
    const data = c.var.session()
    data.count = (data.count ?? 0) + 1
    return c.text(String(data.count))
  })
  app.get(UNTOUCHED_PATH, (c) => c.text('ok'))
  return app.fetch
}

function cookieValue(header: string | null): string | undefined {
  if (header === null) return undefined
  const start = header.indexOf(NAME)
  if (start === -1) return undefined
  const end = header.indexOf(';', start)
  return header.slice(start + NAME.length, end === -1 ? undefined : end)
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
