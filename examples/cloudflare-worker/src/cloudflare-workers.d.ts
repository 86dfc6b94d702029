// The `cloudflare:workers` module, which workerd provides and whose `DurableObject` class
// `SessionDurableObject` extends, declared from the module form of @cloudflare/workers-types.
// A project with the Workers types in its `types` (or `wrangler types`) has it already; this
// one type-checks against the DOM library instead, so it declares the module itself.
declare module 'cloudflare:workers' {
  import type { CloudflareWorkersModule } from '@cloudflare/workers-types'

  export const DurableObject: typeof CloudflareWorkersModule.DurableObject
  export type DurableObject<Env = unknown> = CloudflareWorkersModule.DurableObject<Env>
}
