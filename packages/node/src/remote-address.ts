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

// Requests served by `createListener` or `serve`, and the Node request each came from.
const incomingOf = new WeakMap<Request, IncomingMessage>()

/**
 * Remembers the Node request behind a Fetch request, for `remoteAddress`.
 * @param request the Fetch request handed to the handler
 * @param incoming the Node request it stands for
 */
export function rememberIncoming(request: Request, incoming: IncomingMessage): void {
  incomingOf.set(request, incoming)
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
  const socket = incomingOf.get(request)?.socket
  const address = socket?.remoteAddress
  if (socket === undefined || address === undefined) return undefined
  return { address, family: socket.remoteFamily ?? '', port: socket.remotePort ?? 0 }
}
