import { describe, expect, it } from 'vitest'

describe('@fetch-session/hono', () => {
  it('exports exactly its public API', async () => {
    expect(Object.keys(await import('./index.ts')).sort()).toEqual(['session'])
  })
})
