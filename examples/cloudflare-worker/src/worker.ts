// The Worker whose sessions live in Workers KV: the example's app (app.ts) over a `KVStore`. Run
// it locally with `pnpm start` (see dev.ts). workerd takes every exported value of the module
// for an entry point: besides the app, only types are exported.
import type { KVNamespace } from '@cloudflare/workers-types'
import { KVStore } from '@fetch-session/cloudflare-kv'
import { createApp } from './app.ts'
import type { SecretBinding } from './app.ts'

/** The Worker's bindings: the KV namespace and the signing secret. */
export interface Bindings extends SecretBinding {
  SESSIONS: KVNamespace
}

export type { SessionView } from './app.ts'

// KV keeps no user index: the app shows no list of sessions (listSessions would refuse).
export default createApp<Bindings>({
  storeName: 'Workers KV',
  store: (env) => new KVStore(env.SESSIONS),
  devices: false,
})
