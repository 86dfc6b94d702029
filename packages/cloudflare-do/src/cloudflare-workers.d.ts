// The `cloudflare:workers` module exists only inside workerd. This package compiles against the
// module form of @cloudflare/workers-types (a dev dependency), which names it
// `CloudflareWorkersModule`; a Worker's own setup (workers-types or `wrangler types`) declares
// the module for the published declarations.
declare module 'cloudflare:workers' {
  import type { CloudflareWorkersModule } from '@cloudflare/workers-types'

  export const DurableObject: typeof CloudflareWorkersModule.DurableObject
  export type DurableObject<Env = unknown> = CloudflareWorkersModule.DurableObject<Env>
}
