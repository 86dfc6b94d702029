import type { IncomingMessage } from 'node:http'

/** The address of the peer at the other end of a request's TCP connection. */
export interface RemoteAddress {
  /** The IP address, such as `"127.0.0.1"` or `"::1"`. */
  address: string
  /** `"IPv4"` or `"IPv6"`. */
  family: string
  /** The peer's port. */
  port: number
}

// The Node request behind each request served by `createListener` or `serve`, kept on the request
// under a symbol: an entry per request in a WeakMap cost more to make and to collect. A frozen
// request, which cannot take the property, falls back to a WeakMap.
const INCOMING = Symbol('incoming')
const frozen = new WeakMap<Request, IncomingMessage>()

type Remembered = Request & { [INCOMING]?: IncomingMessage }

/**
 * Remembers the Node request behind a Fetch request, for `remoteAddress`.
 * @param request the Fetch request handed to the handler
 * @param incoming the Node request it stands for
 */
export function rememberIncoming(request: Request, incoming: IncomingMessage): void {
  if (Object.isExtensible(request)) (request as Remembered)[INCOMING] = incoming
  else frozen.set(request, incoming)
}

/**
 * The client address of a request served by `createListener` or `serve`. It is the TCP peer:
 * behind a reverse proxy that is the proxy, and the client's own address is in whatever header
 * that proxy sets (trust that header only from your proxy).
 * @param request the `Request` the handler received
 * @returns the address, or `undefined` for a request that did not come through this package or
 *   whose connection is already closed
 */
export function remoteAddress(request: Request): RemoteAddress | undefined {
  const socket = ((request as Remembered)[INCOMING] ?? frozen.get(request))?.socket
  const address = socket?.remoteAddress
  if (socket === undefined || address === undefined) return undefined
  return { address, family: socket.remoteFamily ?? '', port: socket.remotePort ?? 0 }
}
