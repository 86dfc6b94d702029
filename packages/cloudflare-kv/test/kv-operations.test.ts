// What each kind of request costs in KV operations, counted inside workerd by a proxy around the
// real binding that logs every call, whatever its method.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { Miniflare } from 'miniflare'
import { CookieJar } from '@fetch-session/test-support'
import { kvCalls, resetCalls, send, startWorker } from './support/workerd.ts'

let mf: Miniflare

beforeAll(async () => {
  mf = await startWorker()
})

afterAll(async () => {
  await mf?.dispose()
})

beforeEach(async () => {
  await resetCalls(mf)
})

// A browser: sends the jar's cookie, keeps what it is given.
async function visit(jar: CookieJar, path: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers)
  const cookie = jar.header()
  if (cookie !== undefined) headers.set('cookie', cookie)
  const response = await send(mf, path, { ...init, headers, redirect: 'manual' })
  jar.store(response)
  await response.arrayBuffer()
  return response
}

// The session id behind the signed cookie value `<id>.<signature>`.
function sessionKey(jar: CookieJar): string {
  return `session:${jar.get('session')!.split('.')[0]}`
}

async function methods(): Promise<string[]> {
  const calls = await kvCalls(mf)
  await resetCalls(mf)
  return calls.map((call) => call.method)
}

describe('KV operations per request', () => {
  it('a request that only reads its session costs exactly one KV read and no write', async () => {
    const jar = new CookieJar()
    await visit(jar, '/a/count')
    await resetCalls(mf)
    const response = await visit(jar, '/a/read')
    expect(response.headers.get('set-cookie')).toBeNull()
    expect(await kvCalls(mf)).toEqual([
      { method: 'getWithMetadata', key: sessionKey(jar), options: { type: 'text' } },
    ])
  })

  it('keeps costing one read and no write over many reads of an active session', async () => {
    const jar = new CookieJar()
    await visit(jar, '/a/count')
    await resetCalls(mf)
    for (let i = 0; i < 25; i++) await visit(jar, '/a/read')
    expect(await methods()).toEqual(Array(25).fill('getWithMetadata'))
  })

  it('costs nothing for a request without a cookie that only reads, or never loads', async () => {
    const jar = new CookieJar()
    await visit(jar, '/a/read')
    await visit(jar, '/a/untouched')
    expect(await methods()).toEqual([])
  })

  it('writes once per change, deletes once at logout, regenerate writes then deletes', async () => {
    const jar = new CookieJar()
    await visit(jar, '/a/count')
    expect(await methods()).toEqual(['put'])
    await visit(jar, '/a/count')
    expect(await methods()).toEqual(['getWithMetadata', 'put'])
    const before = sessionKey(jar)
    await visit(jar, '/a/login?value=ada', { method: 'POST' })
    const after = sessionKey(jar)
    expect(after).not.toBe(before)
    const login = await kvCalls(mf)
    await resetCalls(mf)
    expect(login.map((call) => [call.method, call.key])).toEqual([
      ['getWithMetadata', before],
      ['put', after],
      ['delete', before],
    ])
    await visit(jar, '/a/logout', { method: 'POST' })
    const logout = await kvCalls(mf)
    expect(logout.map((call) => [call.method, call.key])).toEqual([
      ['getWithMetadata', after],
      ['delete', after],
    ])
  })

  it('refreshes an unchanged session at most once per touch interval', async () => {
    // The /touch/ sessions: one-hour idle timeout, 2 s touch interval.
    const jar = new CookieJar()
    await visit(jar, '/touch/count')
    const [created] = await kvCalls(mf)
    await resetCalls(mf)
    for (let i = 0; i < 5; i++) await visit(jar, '/touch/read')
    expect(await methods()).toEqual(Array(5).fill('getWithMetadata'))

    await new Promise((resolve) => setTimeout(resolve, 2100))
    const refreshed = await visit(jar, '/touch/read')
    const [read, put] = await kvCalls(mf)
    await resetCalls(mf)
    expect(read?.method).toBe('getWithMetadata')
    expect(put).toMatchObject({ method: 'put', key: sessionKey(jar) })
    const metadata = (call: typeof put) =>
      (call?.options as { metadata: { expiresAt: number } }).metadata
    expect(metadata(put).expiresAt).toBeGreaterThan(metadata(created).expiresAt)
    expect(refreshed.headers.get('set-cookie')).toMatch(/Max-Age=3600/)

    // Refreshed, the session is not written again until the next interval.
    await visit(jar, '/touch/read')
    expect(await methods()).toEqual(['getWithMetadata'])
  })
})
