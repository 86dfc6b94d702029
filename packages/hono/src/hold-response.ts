import type { NodeResponse } from './node-response.ts'

// What a handler can call to send the head or the body; the flush writes the head too.
const SENDING = ['writeHead', 'write', 'end', 'flushHeaders'] as const

type Call = [method: (typeof SENDING)[number], args: unknown[]]

/**
 * Holds what is written on the `ServerResponse` while the session commits, so that a handler
 * answering on `c.env.outgoing` itself (and returning `RESPONSE_ALREADY_SENT`) cannot send its
 * head before the session's headers are known. The calls are queued in order; the function
 * returned puts the response's own methods back, lets `prepare` add the session's headers, and
 * replays them. Meanwhile `write()` reports no back-pressure and `headersSent` stays false.
 * @param outgoing the response, whose head is not sent yet
 * @returns the release, to call once whatever the commit's outcome
 */
export function holdResponse(outgoing: NodeResponse): (prepare?: () => void) => void {
  const own = outgoing as unknown as Record<string, unknown>
  let held: Call[] | null = null
  for (const method of SENDING) {
    own[method] = (...args: unknown[]) => {
      ;(held ??= []).push([method, args])
      if (method === 'write') return true
      return method === 'flushHeaders' ? undefined : outgoing
    }
  }
  return (prepare) => {
    // Removed in the reverse order of their addition, which lets V8 return the object to the
    // shape it had before instead of turning it into a slower dictionary.
    for (let i = SENDING.length - 1; i >= 0; i--) delete own[SENDING[i]!]
    prepare?.()
    if (held === null) return
    for (const [method, args] of held) {
      ;(own[method] as (...args: unknown[]) => unknown).apply(outgoing, args)
    }
  }
}
