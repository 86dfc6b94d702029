import { behaviourSuite } from '@fetch-session/test-support'
import { createHonoBehaviourApp } from './test-support/behaviour-app.ts'

// The core's stories through Hono, in-process: `app.request()`, as Hono's own tests call an app.
for (const kind of ['memory', 'cookie'] as const) {
  const app = createHonoBehaviourApp(kind)
  behaviourSuite(`Hono in-process, ${kind} store`, () => ({
    fetch: async (path, init) => app.request(path, init),
    stateless: kind === 'cookie',
  }))
}
