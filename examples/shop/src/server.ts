// Serves the shop on http://localhost:3000 (`pnpm start`). Settings come from the environment:
// PORT, SESSION_STORE (file or memory), SESSION_DIR, SESSION_SECRET and NODE_ENV (see README.md).
import type { AddressInfo } from 'node:net'
import { MemoryStore, SessionConfigError } from '@fetch-session/core'
import { FileStore, serve } from '@fetch-session/node'
import { createShopApp } from './app.ts'
import { ConfigError, readConfig } from './config.ts'

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

const fileStore = config.store === 'file' ? new FileStore({ directory: config.directory }) : null
let app
try {
  app = createShopApp({
    secrets: config.secrets,
    store: fileStore ?? new MemoryStore(),
    secureCookie: config.secureCookie,
    storeLabel: fileStore
      ? 'FileStore: sessions survive a restart of the server'
      : 'MemoryStore: sessions are lost when the server stops',
  })
} catch (error) {
  refuse(error)
}

const server = await serve(app.fetch, { port: config.port })
const { port } = server.address() as AddressInfo
console.log(`Paper & Ink, the fetch-session demo shop: http://localhost:${port}`)
console.log(
  fileStore
    ? `Sessions are kept in ${fileStore.directory} (SESSION_STORE=memory keeps them in memory).`
    : 'Sessions are kept in memory: a restart forgets them.',
)

// Expired sessions are never read back; sweeping hourly reclaims their files.
const sweeper = fileStore
  ? setInterval(() => fileStore.sweep().catch((error) => console.error(error)), 3_600_000)
  : undefined
sweeper?.unref()

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    clearInterval(sweeper)
    server.close(() => process.exit(0))
    // Keep-alive connections would hold close() open; the shop has nothing left to finish.
    server.closeAllConnections()
  })
}
