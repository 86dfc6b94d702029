// The behaviour app as a Worker: bundled the way Wrangler bundles (esbuild, the package's
// published build, no Node globals) and run in workerd by miniflare. Both apps are built at
// global scope, as a Worker configured by constants is, so a core constructor that does
// something workerd forbids there (random values, timers, I/O) fails the suite.
import * as core from '@fetch-session/core'
import { createBehaviourApp } from '@fetch-session/test-support/app'
import type { StoreKind } from '@fetch-session/test-support/app'

const apps = {
  memory: createBehaviourApp(core, 'memory'),
  cookie: createBehaviourApp(core, 'cookie'),
}

export default {
  fetch(request: Request, env: { STORE_KIND: StoreKind }): Promise<Response> {
    return apps[env.STORE_KIND](request)
  },
}
