// Whole requests through @hono/node-server's request listener, in process and without sockets:
// a real `IncomingMessage` and `ServerResponse` of node:http, whose head and body are kept in
// memory instead of being written to a connection. Unlike `app.fetch(new Request())`, this runs
// what a server on Node runs for each request (the lightweight Request, the response written
// to the ServerResponse, Fetch `Headers` built or not), without the kernel's share, which moves
// with whatever else the machine does.
import { IncomingMessage, ServerResponse } from 'node:http'
import { Socket } from 'node:net'
import { getRequestListener } from '@hono/node-server'
import type { Handler } from './apps.ts'

// Never connected: IncomingMessage only keeps it, ServerResponse buffers what it would write.
const socket = new Socket()

/** A fetch handler served the way `serve()` from `@hono/node-server` serves it. */
export type NodeListener = (incoming: IncomingMessage, outgoing: ServerResponse) => Promise<void>

/**
 * The request listener of `@hono/node-server` around a fetch handler.
 * @param handler the fetch handler, as `serve({ fetch })` takes it
 */
export function nodeListener(handler: Handler): NodeListener {
  return getRequestListener(handler as Parameters<typeof getRequestListener>[0]) as NodeListener
}

/**
 * Sends one GET request through the listener.
 * @param listener from `nodeListener`
 * @param path the path
 * @param cookie the Cookie header, if any
 * @returns the response head as written, and the body
 */
export async function send(
  listener: NodeListener,
  path: string,
  cookie: string | null,
): Promise<{ head: string; body: string }> {
  const incoming = new IncomingMessage(socket)
  incoming.method = 'GET'
  incoming.url = path
  incoming.httpVersion = '1.1'
  incoming.rawHeaders =
    cookie === null
      ? ['Host', '127.0.0.1', 'User-Agent', 'bench']
      : ['Host', '127.0.0.1', 'User-Agent', 'bench', 'Cookie', cookie]
  // What the parser would have made of the raw headers.
  incoming.headers =
    cookie === null
      ? { host: '127.0.0.1', 'user-agent': 'bench' }
      : { host: '127.0.0.1', 'user-agent': 'bench', cookie }
  incoming.complete = true
  incoming.push(null)
  const outgoing = new ServerResponse(incoming)
  await listener(incoming, outgoing)
  const written = (outgoing as unknown as { outputData: { data: string | Uint8Array }[] })
    .outputData
  const head = (outgoing as unknown as { _header: string | null })._header ?? ''
  const body = written
    .map((chunk) => (typeof chunk.data === 'string' ? chunk.data : Buffer.from(chunk.data)))
    .join('')
  return { head, body: body.slice(body.indexOf('\r\n\r\n') + 4) }
}

/**
 * The `name=value` pairs of each Set-Cookie in a response head.
 * @param head the head, from `send`
 */
export function setCookies(head: string): string[] {
  return [...head.matchAll(/^set-cookie: ([^;\r\n]*)/gim)].map((match) => match[1]!)
}

/**
 * One browser: each call sends a request with the browser's cookie and keeps the cookie set.
 * @param listener from `nodeListener`
 * @param path the path
 * @param cookie the starting cookie, or `null` for a browser that keeps none
 */
export function nodeBrowser(
  listener: NodeListener,
  path: string,
  cookie: string | null,
): () => Promise<void> {
  let jar = cookie
  return async () => {
    const { head } = await send(listener, path, jar)
    const set = setCookies(head).at(-1)
    if (jar !== null && set !== undefined) jar = set
  }
}
