// Serves the app on http://localhost:3000 (`pnpm start`). Settings come from the environment:
// PORT (default 3000), SESSION_SECRET (required when NODE_ENV=production) and SESSION_DIR
// (default .data/sessions).
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { FileStore } from '@fetch-session/node'
import { createApp } from './app.ts'

// Public, so only for development: anyone can forge cookies signed with it.
const DEVELOPMENT_SECRET = 'development-secret-do-not-use-in-production'

const port = Number(process.env.PORT ?? 3000)
let secret = process.env.SESSION_SECRET
if (secret === undefined) {
  if (process.env.NODE_ENV === 'production') {
    console.error('Set SESSION_SECRET (32 characters or more): `openssl rand -base64 32`')
    process.exit(1)
  }
  console.warn('SESSION_SECRET is not set: signing cookies with a public development secret.')
  secret = DEVELOPMENT_SECRET
}

const store = new FileStore({ directory: process.env.SESSION_DIR ?? '.data/sessions' })
const app = createApp({
  secrets: [secret],
  store,
  // Behind HTTPS in production; plain http://localhost in development.
  secureCookie: process.env.NODE_ENV === 'production' ? true : 'auto',
  onError: (error) => console.error(error),
})
const server = createServer(app)

server.listen(port, () => {
  const { port: actual } = server.address() as AddressInfo
  console.log(`Listening on http://localhost:${actual}`)
  console.log(`Sessions are kept in ${store.directory}`)
})

// Expired sessions are never read back; sweeping hourly reclaims their files.
const sweeper = setInterval(() => {
  store.sweep().catch((error: unknown) => console.error(error))
}, 3_600_000)
sweeper.unref()

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    clearInterval(sweeper)
    server.close(() => process.exit(0))
    server.closeAllConnections()
  })
}
