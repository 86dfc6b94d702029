import { describe, it, expect } from 'vitest'
import { createSessions } from './index.ts'

describe('smoke', () => {
  it('counts', async () => {
    const sessions = createSessions<{ n: number }>({ secrets: 'x'.repeat(32) })
    const handler = sessions.wrap(async (request) => {
      const s = await sessions.load(request)
      s.set('n', (s.get('n') ?? 0) + 1)
      return new Response(String(s.get('n')))
    })
    let r = await handler(new Request('http://localhost/'))
    const c = r.headers.get('set-cookie')!
    console.log(c, [...r.headers])
    r = await handler(new Request('http://localhost/', { headers: { cookie: c.split(';')[0]! } }))
    expect(await r.text()).toBe('2')
    console.log([...r.headers])
  })
})
