// The behaviour app on plain Node, importing the core as a Node user does (the package's
// published build, resolved through its package.json `exports`), served by node:http through a
// minimal Request/Response bridge. Node cannot run TypeScript, so the test bundles this file
// with the core left external and runs it with `node --input-type=module --eval` from the
// package directory, where the package resolves to itself.
import { createServer } from 'node:http'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import * as core from '@fetch-session/core'
import { createBehaviourApp, storeKind } from '@fetch-session/test-support/app'

const app = createBehaviourApp(core, storeKind(process.argv.at(-1)))

const server = createServer((incoming, outgoing) => {
  toRequest(incoming)
    .then(app)
    .then((response) => send(response, outgoing))
    .catch((error: unknown) => {
      console.error(error)
      outgoing.writeHead(500).end()
    })
})
server.listen(0, '127.0.0.1', () => {
  console.log(`listening on ${(server.address() as AddressInfo).port}`)
})

// The test holds our stdin open; when it goes away, so do we.
process.stdin.on('end', () => process.exit(0)).resume()

async function toRequest(incoming: IncomingMessage): Promise<Request> {
  const headers = new Headers()
  const raw = incoming.rawHeaders
  for (let i = 0; i + 1 < raw.length; i += 2) headers.append(raw[i]!, raw[i + 1]!)
  const method = incoming.method ?? 'GET'
  let body: Uint8Array<ArrayBuffer> | null = null
  if (method !== 'GET' && method !== 'HEAD') {
    const chunks: Buffer[] = []
    for await (const chunk of incoming) chunks.push(chunk as Buffer)
    body = new Uint8Array(Buffer.concat(chunks))
  }
  const url = new URL(incoming.url ?? '/', `http://${incoming.headers.host ?? '127.0.0.1'}`)
  return new Request(url, { method, headers, body })
}

async function send(response: Response, outgoing: ServerResponse): Promise<void> {
  const headers: Record<string, string | string[]> = {}
  // Each Set-Cookie stays a header of its own; the others are single values.
  response.headers.forEach((value, name) => {
    if (name !== 'set-cookie') headers[name] = value
  })
  const cookies = response.headers.getSetCookie()
  if (cookies.length > 0) headers['set-cookie'] = cookies
  outgoing.writeHead(response.status, response.statusText, headers)
  outgoing.end(Buffer.from(await response.arrayBuffer()))
}
