// The behaviour stories, the same bodies as in-process, against the behaviour app on one runtime.
// In workerd through miniflare: the Worker is bundled from the package's published build, as
// Wrangler bundles it.
// One host per store kind serves all the stories, several at a time, as a server serves several
// browsers: they share nothing but the host, and most of their time is spent asleep in the
// timeout stories.
import { describe } from 'vitest'
import { behaviourSuite, STORE_KINDS } from '@fetch-session/test-support'
import { workerd, startedHosts } from './test-support/hosts/runtimes.ts'

const runtime = await workerd()
const host = startedHosts(runtime)
describe.concurrent(runtime.label, () => {
  for (const kind of STORE_KINDS) {
    behaviourSuite(`${runtime.label}, ${kind} store`, () => host(kind))
  }
})
