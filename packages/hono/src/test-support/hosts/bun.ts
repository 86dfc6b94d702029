// The Hono behaviour app on Bun, served as a Bun user serves a Hono app. Bundled by the test
// into a throwaway application directory, the packages left as imports by name, so that Bun
// resolves @fetch-session/core and @fetch-session/hono to their published builds (dist/).
// Run there: `bun --no-install host.js <store kind>`.
import { storeKind } from '@fetch-session/test-support/app'
import { createHonoBehaviourApp } from '../behaviour-app.ts'

// The few Bun APIs used here, declared rather than typed by a Bun types package.
declare const Bun: {
  argv: string[]
  stdin: { stream(): AsyncIterable<Uint8Array> }
  serve(options: {
    port: number
    hostname: string
    fetch(request: Request): Response | Promise<Response>
  }): { port: number }
}

const app = createHonoBehaviourApp(storeKind(Bun.argv.at(-1)))
const server = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: app.fetch })
console.log(`listening on ${server.port}`)

// The test holds our stdin open; when it goes away, so do we.
for await (const _ of Bun.stdin.stream());
process.exit(0)
