// A session counter over HTTP: the smallest useful demo of fetch-session.
import { serve } from '@hono/node-server'
import { createSessions } from '@fetch-session/core'

const sessions = createSessions<{ visits: number }>({
  secrets: process.env['SESSION_SECRET'] ?? 'development-only-secret-change-me-0123456789',
})

const app = sessions.wrap(async (request) => {
  const session = await sessions.load(request)
  const visits = (session.get('visits') ?? 0) + 1
  session.set('visits', visits)
  return new Response(`You have visited this page ${visits} time(s).\n`)
})

const port = Number(process.env['PORT'] ?? 3000)
serve({ fetch: app, port }, () => console.log(`Listening on http://localhost:${port}`))
