import type { SessionHeaders } from '@fetch-session/core'
import type { NodeResponse } from './node-response.ts'
import { withHead } from './with-head.ts'

type Method = 'writeHead' | 'write' | 'end' | 'flushHeaders'
type Call = [method: Method, args: unknown[]]

// The calls held on each response, once it has one. The methods below are shared by all
// responses, so holding a response allocates nothing until the handler writes on it.
const held = new WeakMap<object, Call[]>()

function hold(response: object, method: Method, args: unknown[]): void {
  const calls = held.get(response)
  if (calls === undefined) held.set(response, [[method, args]])
  else calls.push([method, args])
}

// What a handler can call to send the head or the body; the flush writes the head too. Each
// answers as the real method would when nothing pushes back.
const holding = {
  writeHead(this: object, ...args: unknown[]) {
    hold(this, 'writeHead', args)
    return this
  },
  write(this: object, ...args: unknown[]) {
    hold(this, 'write', args)
    return true
  },
  end(this: object, ...args: unknown[]) {
    hold(this, 'end', args)
    return this
  },
  flushHeaders(this: object) {
    hold(this, 'flushHeaders', [])
  },
}

/**
 * Holds what is written on the `ServerResponse` while the session commits, so that a handler
 * answering on `c.env.outgoing` itself (and returning `RESPONSE_ALREADY_SENT`) cannot send its
 * head before the session's headers are known. The calls are queued in order, for
 * `releaseResponse` to replay. Meanwhile `write()` reports no back-pressure and `headersSent` stays false.
 * @param outgoing the response, whose head is not sent yet
 */
export function holdResponse(outgoing: NodeResponse): void {
  const own = outgoing as unknown as typeof holding
  own.writeHead = holding.writeHead
  own.write = holding.write
  own.end = holding.end
  own.flushHeaders = holding.flushHeaders
}

/**
 * Puts the response's own methods back, has the session's headers written with the head, and
 * replays what was held. To call once, whatever the commit's outcome.
 * @param outgoing the response given to `holdResponse`
 * @param changes the session's headers, or `null` when the commit failed
 */
export function releaseResponse(outgoing: NodeResponse, changes: SessionHeaders | null): void {
  const own = outgoing as Partial<typeof holding>
  // Removed in the reverse order of their addition, which lets V8 return the object to the
  // shape it had before instead of turning it into a slower dictionary.
  delete own.flushHeaders
  delete own.end
  delete own.write
  delete own.writeHead
  if (changes !== null && (changes.vary || changes.setCookie !== null)) withHead(outgoing, changes)
  const calls = held.get(outgoing)
  if (calls === undefined) return
  held.delete(outgoing)
  for (const [method, args] of calls) {
    ;(outgoing[method as keyof NodeResponse] as (...args: unknown[]) => unknown).apply(
      outgoing,
      args,
    )
  }
}
