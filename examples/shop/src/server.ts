// Serves the shop on http://localhost:3000 (`pnpm start`). Settings come from the environment:
// PORT, SESSION_STORE (file, memory or postgres), SESSION_DIR, DATABASE_URL, SESSION_SECRET and
// NODE_ENV (see README.md).
import type { AddressInfo } from 'node:net'
import { SessionConfigError } from '@fetch-session/core'
import { serve } from '@fetch-session/node'
import { createShopApp } from './app.ts'
import { ConfigError, readConfig } from './config.ts'
import { openStore } from './open-store.ts'

// Settings that cannot work stop the server at once, with the reason, before it listens.
function refuse(error: unknown): never {
  if (!(error instanceof ConfigError || error instanceof SessionConfigError)) throw error
  console.error(`Cannot start the shop: ${error.message}`)
  process.exit(1)
}

let config
try {
  config = readConfig(process.env)
} catch (error) {
  refuse(error)
}

if (config.developmentSecret) {
  console.warn(
    'SESSION_SECRET is not set: signing cookies with the public DEVELOPMENT secret. Set it ' +
      'before exposing this server; NODE_ENV=production refuses to start without it.',
  )
}

let opened
try {
  opened = await openStore(config)
} catch (error) {
  // The store's messages name the failure (ECONNREFUSED, a missing database), never the URL.
  console.error(`Cannot start the shop: ${error instanceof Error ? error.message : error}`)
  process.exit(1)
}

let app
try {
  app = createShopApp({
    secrets: config.secrets,
    store: opened.store,
    secureCookie: config.secureCookie,
    storeLabel: opened.label,
  })
} catch (error) {
  await opened.close()
  refuse(error)
}

const server = await serve(app.fetch, { port: config.port })
const { port } = server.address() as AddressInfo
console.log(`Paper & Ink, the fetch-session demo shop: http://localhost:${port}`)
console.log(opened.where)

// Expired sessions are never read back; sweeping hourly reclaims their space.
const { sweep } = opened
const sweeper = sweep
  ? setInterval(() => sweep().catch((error) => console.error(error)), 3_600_000)
  : undefined
sweeper?.unref()

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    clearInterval(sweeper)
    server.close(() => {
      opened.close().finally(() => process.exit(0))
    })
    // Keep-alive connections would hold close() open; the shop has nothing left to finish.
    server.closeAllConnections()
  })
}
