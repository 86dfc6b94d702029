// `pnpm start` serves the Worker whose sessions live in Workers KV; `pnpm start durable-object`
// (or `pnpm start:durable-object`) the one whose sessions live in Durable Objects. Either runs
// locally inside workerd on http://localhost:8787, its sessions kept in a folder so that they
// survive a restart.
//
//   PORT           the port (default 8787; 0 for any free one)
//   SESSION_SECRET the signing secret (default: a development one, printed as a warning)
//   KV_PERSIST     where the KV Worker keeps its data (default: .data/kv in this example's folder)
//   DO_PERSIST     where the Durable Object Worker keeps its data (default: .data/do)
import { relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { VARIANTS, startLocalWorker } from './local.ts'
import type { Variant } from './local.ts'

const DEVELOPMENT_SECRET = 'development-only-secret-change-me-0123456789'

const variant = (process.argv[2] ?? 'kv') as Variant
if (!VARIANTS.includes(variant)) {
  console.error(`Unknown variant "${variant}": use one of ${VARIANTS.join(', ')}`)
  process.exit(2)
}
const port = Number(process.env['PORT'] ?? 8787)
const persist =
  variant === 'kv'
    ? (process.env['KV_PERSIST'] ?? fileURLToPath(new URL('../.data/kv', import.meta.url)))
    : (process.env['DO_PERSIST'] ?? fileURLToPath(new URL('../.data/do', import.meta.url)))
const secret = process.env['SESSION_SECRET'] ?? DEVELOPMENT_SECRET
if (secret === DEVELOPMENT_SECRET) {
  console.warn('SESSION_SECRET is not set: signing cookies with a development secret')
}

const mf = await startLocalWorker({ secret, variant, persist, port, host: '127.0.0.1' })
const url = await mf.ready
const folder = relative(process.cwd(), persist) || '.'
const store = variant === 'kv' ? 'KV data' : 'Durable Object data'
console.log(`Listening on http://localhost:${url.port} (${store} in ${folder})`)

// Ctrl-C (or SIGTERM) stops it: miniflare ends workerd when the process exits.
