// The worker that runs the Hono behaviour app inside workerd. The app is built on the first
// request: workerd forbids random values and timers at global scope.
import type { StoreKind } from '../../../core/src/test-support/behaviour-app.ts'
import { createHonoBehaviourApp } from './behaviour-app.ts'

/** The bindings the test gives the worker. */
interface Bindings {
  STORE_KIND: StoreKind
}

let app: ReturnType<typeof createHonoBehaviourApp> | undefined

export default {
  fetch(request: Request, env: Bindings): Response | Promise<Response> {
    app ??= createHonoBehaviourApp(env.STORE_KIND)
    return app.fetch(request)
  },
}
