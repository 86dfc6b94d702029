/**
 * The part of Node's `ServerResponse` (or `Http2ServerResponse`) that writing a session's headers
 * with the response head needs.
 */
export interface NodeResponse {
  headersSent: boolean
  writableNeedDrain: boolean
  writeHead(status: number, ...rest: unknown[]): unknown
  write(...args: unknown[]): unknown
  end(...args: unknown[]): unknown
  getHeader(name: string): unknown
  setHeader(name: string, value: string | string[]): unknown
  emit(event: string): unknown
}

/**
 * The Node `ServerResponse` that a server on Node passes beside the `Request` (the `outgoing`
 * of `@hono/node-server`'s and `@fetch-session/node`'s bindings), when its head is still to be
 * written. Duck-typed, since the core cannot import `node:http`.
 * @param bindings what the server passed after the request (Hono's `c.env`), or anything else
 * @returns the response, or `undefined` elsewhere (Workers, Bun, Deno, tests)
 */
export function nodeResponse(bindings: unknown): NodeResponse | undefined {
  const outgoing = (bindings as { outgoing?: Partial<NodeResponse> } | null | undefined)?.outgoing
  return typeof outgoing?.writeHead === 'function' &&
    typeof outgoing.setHeader === 'function' &&
    typeof outgoing.write === 'function' &&
    typeof outgoing.end === 'function' &&
    typeof outgoing.getHeader === 'function' &&
    typeof outgoing.emit === 'function' &&
    outgoing.headersSent === false
    ? (outgoing as NodeResponse)
    : undefined
}
