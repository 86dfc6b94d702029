// The Hono behaviour app as a Worker, run in workerd by miniflare. Both apps are built at global
// scope, as a Worker configured by constants is, so that anything workerd forbids there (random
// values, timers, I/O) in the middleware's construction fails the suite.
import type { StoreKind } from '@fetch-session/test-support/app'
import { createHonoBehaviourApp } from './behaviour-app.ts'

const apps = {
  memory: createHonoBehaviourApp('memory'),
  cookie: createHonoBehaviourApp('cookie'),
}

export default {
  fetch(request: Request, env: { STORE_KIND: StoreKind }): Response | Promise<Response> {
    return apps[env.STORE_KIND].fetch(request)
  },
}
