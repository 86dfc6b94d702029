import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { createServer } from 'node:http'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { FileStore } from '@fetch-session/node'
import { CookieJar } from '@fetch-session/test-support'
import { createApp } from '../src/app.ts'

const SECRET = 'test-secret-0123456789-0123456789-0123456789'

let directory: string
let server: Server
let base: string
const errors: unknown[] = []

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'node-http-example-'))
  const app = createApp({
    secrets: [SECRET],
    store: new FileStore({ directory }),
    onError: (error) => errors.push(error),
  })
  server = createServer(app)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})

afterAll(async () => {
  server.closeAllConnections()
  await new Promise((resolve) => server.close(resolve))
  await rm(directory, { recursive: true, force: true })
  expect(errors).toEqual([])
})

// A browser: keeps cookies, sends them back, does not follow redirects by itself.
function browser() {
  const jar = new CookieJar()
  return {
    jar,
    async get(path: string) {
      return this.send(path, {})
    },
    async post(path: string, form: Record<string, string> = {}) {
      return this.send(path, { method: 'POST', body: new URLSearchParams(form) })
    },
    async send(path: string, init: RequestInit) {
      const cookie = jar.header()
      const response = await fetch(base + path, {
        ...init,
        headers: cookie === undefined ? {} : { cookie },
        redirect: 'manual',
      })
      jar.store(response)
      return { response, text: await response.text() }
    },
  }
}

describe('the node:http example', () => {
  it('counts visits per browser', async () => {
    const ada = browser()
    const bob = browser()
    expect((await ada.get('/')).text).toContain('visited this page <strong>1</strong> time.')
    expect((await ada.get('/')).text).toContain('<strong>2</strong> times')
    expect((await bob.get('/')).text).toContain('<strong>1</strong> time.')
    expect((await ada.get('/')).text).toContain('<strong>3</strong> times')
  })

  it('answers the health check without touching the session', async () => {
    const visitor = browser()
    const { response, text } = await visitor.get('/health')
    expect(text).toBe('ok')
    expect(response.headers.get('set-cookie')).toBeNull()
    expect(response.headers.get('vary')).toBeNull()
  })

  it('signs in under a new session id, greets once, and signs out', async () => {
    const visitor = browser()
    await visitor.get('/')
    const before = visitor.jar.get('session')
    const login = await visitor.post('/login', { name: 'Ada <script>' })
    expect(login.response.status).toBe(303)
    expect(login.response.headers.get('location')).toBe('/')
    expect(visitor.jar.get('session')).not.toBe(before)

    const home = await visitor.get('/')
    expect(home.text).toContain('Welcome, Ada &lt;script&gt;.')
    expect(home.text).toContain('Signed in as <strong>Ada &lt;script&gt;</strong>')
    expect(home.text).not.toContain('<script>')
    expect(home.text).toContain('<strong>2</strong> times')
    const again = await visitor.get('/')
    expect(again.text).not.toContain('Welcome')
    expect(again.text).toContain('Signed in as')

    const signedIn = visitor.jar.get('session')!
    await visitor.post('/logout')
    const out = await visitor.get('/')
    expect(out.text).toContain('You are signed out.')
    expect(out.text).toContain('<strong>1</strong> time.')
    expect(out.text).not.toContain('Signed in as')

    // The signed-in cookie is dead, even replayed.
    const replay = browser()
    replay.jar.set('session', signedIn)
    expect((await replay.get('/')).text).not.toContain('Signed in as')
  })

  it('asks for a name instead of signing in without one', async () => {
    const visitor = browser()
    await visitor.post('/login', { name: '   ' })
    const home = await visitor.get('/')
    expect(home.text).toContain('Type a name to sign in.')
    expect(home.text).toContain('<form method="post" action="/login">')
  })

  it('refuses a form larger than any of its own', async () => {
    const { response } = await browser().post('/login', { name: 'x'.repeat(20_000) })
    expect(response.status).toBe(413)
  })

  it('keeps sessions in files, one per session', async () => {
    const visitor = browser()
    await visitor.get('/')
    const files = await readdir(directory)
    expect(files.length).toBeGreaterThan(0)
    expect(files.every((name) => name.endsWith('.session'))).toBe(true)
  })
})
