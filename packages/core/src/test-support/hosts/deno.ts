// The behaviour app on Deno, importing the core as a Deno user of an npm package does: the
// package's published build, resolved through its package.json `exports`. Run from the package
// directory: `deno run --node-modules-dir=manual --allow-net=127.0.0.1 <this file> <store kind>`.
import * as core from '@fetch-session/core'
import { createBehaviourApp, storeKind } from '@fetch-session/test-support/app'

// The few Deno APIs used here, declared rather than typed by a Deno types package.
declare const Deno: {
  args: string[]
  stdin: { readable: AsyncIterable<Uint8Array> }
  exit(code: number): never
  serve(
    options: { port: number; hostname: string; onListen(address: { port: number }): void },
    handler: (request: Request) => Promise<Response>,
  ): unknown
}

const app = createBehaviourApp(core, storeKind(Deno.args.at(-1)))
Deno.serve(
  { port: 0, hostname: '127.0.0.1', onListen: ({ port }) => console.log(`listening on ${port}`) },
  app,
)

// The test holds our stdin open; when it goes away, so do we.
for await (const _ of Deno.stdin.readable);
Deno.exit(0)
