// The behaviour app on Bun, importing the core as a Bun user does: the package's published build.
// Run from the package directory: `bun --no-install src/test-support/hosts/bun.ts <store kind>`.
import * as core from '@fetch-session/core'
import { createBehaviourApp, storeKind } from '@fetch-session/test-support/app'

// The few Bun APIs used here, declared rather than typed by a Bun types package.
declare const Bun: {
  argv: string[]
  stdin: { stream(): AsyncIterable<Uint8Array> }
  serve(options: { port: number; hostname: string; fetch(request: Request): Promise<Response> }): {
    port: number
  }
}

const app = createBehaviourApp(core, storeKind(Bun.argv.at(-1)))
const server = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: app })
console.log(`listening on ${server.port}`)

// The test holds our stdin open; when it goes away, so do we.
for await (const _ of Bun.stdin.stream());
process.exit(0)
