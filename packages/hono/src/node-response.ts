/** The part of Node's `ServerResponse` (or `Http2ServerResponse`) that the headers need. */
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

// The ServerResponse that @hono/node-server passes as `c.env.outgoing`, when the headers can
// still be written on it. Duck-typed: the adapter cannot import node:http.
export function nodeResponse(env: unknown): NodeResponse | undefined {
  const outgoing = (env as { outgoing?: Partial<NodeResponse> } | undefined)?.outgoing
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
