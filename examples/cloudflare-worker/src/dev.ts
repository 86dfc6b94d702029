// `pnpm start`: serves the Worker locally inside workerd on http://localhost:8787, with its KV
// data kept in .data/kv so that sessions survive a restart.
//
//   PORT           the port (default 8787; 0 for any free one)
//   SESSION_SECRET the signing secret (default: a development one, printed as a warning)
//   KV_PERSIST     where to keep the KV data (default: .data/kv in this example's folder)
import { relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { startLocalWorker } from './local.ts'

const DEVELOPMENT_SECRET = 'development-only-secret-change-me-0123456789'

const port = Number(process.env['PORT'] ?? 8787)
const kvPersist =
  process.env['KV_PERSIST'] ?? fileURLToPath(new URL('../.data/kv', import.meta.url))
const secret = process.env['SESSION_SECRET'] ?? DEVELOPMENT_SECRET
if (secret === DEVELOPMENT_SECRET) {
  console.warn('SESSION_SECRET is not set: signing cookies with a development secret')
}

const mf = await startLocalWorker({ secret, kvPersist, port, host: '127.0.0.1' })
const url = await mf.ready
const folder = relative(process.cwd(), kvPersist) || '.'
console.log(`Listening on http://localhost:${url.port} (KV data in ${folder})`)

// Ctrl-C (or SIGTERM) stops it: miniflare ends workerd when the process exits.
