import * as core from './index.ts'
import { behaviourSuite, createBehaviourApp } from '@fetch-session/test-support'

// The stories in-process: `handler(new Request(...))`, as a Workers or Deno app calls it.
for (const kind of ['memory', 'cookie'] as const) {
  const app = createBehaviourApp(core, kind)
  behaviourSuite(`in-process, ${kind} store`, () => ({
    fetch: (path, init) => app(new Request(new URL(path, 'http://localhost'), init)),
    stateless: kind === 'cookie',
  }))
}
