// The Worker whose sessions live in Durable Objects: the example's app (app.ts) over a
// `DurableObjectStore`, with the list of a user's sessions and "sign out everywhere else". Run it
// locally with `pnpm start durable-object` (see dev.ts). workerd takes every exported value of
// the module for an entry point: the app, and the Durable Object class bound as SESSIONS.
import type { DurableObjectNamespace } from '@cloudflare/workers-types'
import { DurableObjectStore } from '@fetch-session/cloudflare-do'
import type { SessionDurableObject } from '@fetch-session/cloudflare-do'
import { createApp } from './app.ts'
import type { SecretBinding } from './app.ts'

// workerd instantiates the class named in the binding from these exports.
export { SessionDurableObject } from '@fetch-session/cloudflare-do'

/** The Worker's bindings: the Durable Object namespace and the signing secret. */
export interface Bindings extends SecretBinding {
  SESSIONS: DurableObjectNamespace<SessionDurableObject>
}

export type { DeviceView, SessionView } from './app.ts'

export default createApp<Bindings>({
  storeName: 'Durable Objects',
  store: (env) => new DurableObjectStore(env.SESSIONS),
  devices: true,
})
