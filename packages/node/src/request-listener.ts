import type { IncomingMessage, ServerResponse } from 'node:http'
import { getRequestListener } from '@hono/node-server'
import type { HttpBindings } from '@hono/node-server'
import { rememberIncoming } from './remote-address.ts'

/**
 * What a fetch handler served on `node:http` receives besides the `Request`: the Node request
 * and response behind it, for the rare handler that needs them.
 */
export interface NodeBindings {
  /** The Node request; its body is the `Request`'s body, so read only one of them. */
  incoming: IncomingMessage
  /** The Node response, written by this package from the returned `Response`. */
  outgoing: ServerResponse
}

/**
 * A Web-standard fetch handler, such as `sessions.wrap(handler)` returns.
 * @param request the incoming request: URL, method, headers and body as the client sent them
 * @param bindings the Node objects behind the request
 */
export type FetchHandler = (
  request: Request,
  bindings: NodeBindings,
) => Response | Promise<Response>

/** Options of `createListener`. */
export interface ListenerOptions {
  /**
   * Told about an error thrown or rejected by the handler; the client gets a bare 500 either way.
   * Default: none.
   */
  onError?: (error: unknown, request: Request) => void
  /**
   * Let `@hono/node-server` replace the global `Request` and `Response` with its lighter
   * subclasses, which it writes to Node faster. Default: `true`, as in `@hono/node-server`.
   */
  overrideGlobalObjects?: boolean
}

/**
 * Turns a fetch handler into a `node:http` request listener, with `@hono/node-server` bridging
 * Node's request and response to `Request` and `Response`: the URL, method, headers, body and
 * client address (see `remoteAddress`) arrive intact, and each `Set-Cookie` of the response is
 * sent as a header of its own.
 * @param handler the fetch handler, for example `sessions.wrap(app)`
 * @param options see `ListenerOptions`
 * @returns a listener for `http.createServer()` or `https.createServer()`
 */
export function createListener(
  handler: FetchHandler,
  options: ListenerOptions = {},
): (incoming: IncomingMessage, outgoing: ServerResponse) => Promise<void> {
  const { onError } = options
  const listener = getRequestListener(
    async (request, bindings) => {
      const node = bindings as HttpBindings
      rememberIncoming(request, node.incoming)
      try {
        return await handler(request, node)
      } catch (error) {
        onError?.(error, request)
        return new Response(null, { status: 500 })
      }
    },
    { overrideGlobalObjects: options.overrideGlobalObjects ?? true },
  )
  return (incoming, outgoing) => listener(incoming, outgoing)
}
