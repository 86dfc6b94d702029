// The core's behaviour stories through Hono on Bun: the host process imports @fetch-session/core
// and @fetch-session/hono by name, as a Bun user's application does (their published builds).
// One host per store kind serves all the stories, several at a time, as a server serves several
// browsers: they share nothing but the host, and most of their time is spent asleep in the
// timeout stories.
import { describe } from 'vitest'
import { behaviourSuite, STORE_KINDS } from '@fetch-session/test-support'
import { bun, startedHosts } from './test-support/hosts/runtimes.ts'

const runtime = await bun()
const host = startedHosts(runtime)
describe.concurrent(`Hono on ${runtime.label}`, () => {
  for (const kind of STORE_KINDS) {
    behaviourSuite(`Hono on ${runtime.label}, ${kind} store`, () => host(kind))
  }
})
