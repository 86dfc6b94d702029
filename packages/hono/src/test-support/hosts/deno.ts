// The Hono behaviour app on Deno, served as a Deno user serves a Hono app. Bundled by the test
// into a throwaway application directory, the packages left as imports by name, so that Deno
// resolves @fetch-session/core and @fetch-session/hono through its node_modules and their
// package.json `exports` to their published builds (dist/). Run there:
// `deno run --node-modules-dir=manual --allow-net=127.0.0.1 host.js <store kind>`.
import { storeKind } from '@fetch-session/test-support/app'
import { createHonoBehaviourApp } from '../behaviour-app.ts'

// The few Deno APIs used here, declared rather than typed by a Deno types package.
declare const Deno: {
  args: string[]
  stdin: { readable: AsyncIterable<Uint8Array> }
  exit(code: number): never
  serve(
    options: { port: number; hostname: string; onListen(address: { port: number }): void },
    handler: (request: Request) => Response | Promise<Response>,
  ): unknown
}

const app = createHonoBehaviourApp(storeKind(Deno.args.at(-1)))
Deno.serve(
  { port: 0, hostname: '127.0.0.1', onListen: ({ port }) => console.log(`listening on ${port}`) },
  app.fetch,
)

// The test holds our stdin open; when it goes away, so do we.
for await (const _ of Deno.stdin.readable);
Deno.exit(0)
