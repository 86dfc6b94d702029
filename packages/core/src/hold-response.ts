import type { SessionHeaders } from './session-headers.ts'
import type { NodeResponse } from './node-response.ts'
import { headWriter } from './head-writer.ts'

type Method = 'writeHead' | 'write' | 'end' | 'flushHeaders'
type Call = [method: Method, args: unknown[]]

const METHODS: readonly Method[] = ['writeHead', 'write', 'end', 'flushHeaders']

// Per held response, the calls made on it, once there are any, and the methods it had of its
// own (another middleware's patch, or this one's mounted twice), to put back afterwards. The
// methods below are shared by all responses, so a hold allocates nothing in the common case.
const calls = new WeakMap<object, Call[]>()
const saved = new WeakMap<object, Partial<Record<Method, unknown>>>()

function hold(response: object, method: Method, args: unknown[]): void {
  const held = calls.get(response)
  if (held === undefined) calls.set(response, [[method, args]])
  else held.push([method, args])
}

// What a handler can call to send the head or the body; the flush writes the head too.
const holding = {
  writeHead(this: object, ...args: unknown[]) {
    hold(this, 'writeHead', args)
    return this
  },
  // Back-pressure until the release, which emits 'drain': a stream piped in waits.
  write(this: object, ...args: unknown[]) {
    hold(this, 'write', args)
    return false
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
 * answering on it itself (after returning `@hono/node-server`'s `RESPONSE_ALREADY_SENT`) cannot
 * send its head before the session's headers are known. The calls are queued in order, for
 * `releaseResponse` to replay. Meanwhile `write()` answers `false` (wait for 'drain'), and
 * `headersSent` and `writableEnded` stay false.
 * @param outgoing the response, whose head is not sent yet
 */
export function holdResponse(outgoing: NodeResponse): void {
  const own = outgoing as unknown as Record<Method, unknown>
  let previous: Partial<Record<Method, unknown>> | undefined
  for (const method of METHODS) {
    if (Object.hasOwn(own, method)) (previous ??= {})[method] = own[method]
  }
  if (previous !== undefined) saved.set(outgoing, previous)
  own.writeHead = holding.writeHead
  own.write = holding.write
  own.end = holding.end
  own.flushHeaders = holding.flushHeaders
}

/**
 * Puts the response's methods back, has the session's headers written with the head, and
 * replays what was held. To call once, whatever the commit's outcome.
 * @param outgoing the response given to `holdResponse`
 * @param changes the session's headers, or `null` when the commit failed
 * @returns the error a replayed call threw, which the handler would have met at that call; the
 *   calls after it are not replayed
 */
export function releaseResponse(outgoing: NodeResponse, changes: SessionHeaders | null): unknown {
  const own = outgoing as unknown as Partial<Record<Method, unknown>>
  // Removed in the reverse order of their addition, which lets V8 return the object to the
  // shape it had before instead of turning it into a slower dictionary.
  delete own.flushHeaders
  delete own.end
  delete own.write
  const previous = saved.get(outgoing)
  if (previous !== undefined) {
    saved.delete(outgoing)
    for (const method of METHODS) {
      if (method !== 'writeHead' && Object.hasOwn(previous, method)) own[method] = previous[method]
    }
  }
  if (changes !== null && (changes.vary || changes.setCookie !== null)) {
    // The held writeHead gives way to the one that merges the headers in, in the same property:
    // removing it and adding another made a Hono server on Node promote objects to the old
    // generation on every request (examples/bench/src/findings.md, item 8 of the speed work).
    const writeHead = (previous?.writeHead ??
      (Object.getPrototypeOf(outgoing) as NodeResponse).writeHead) as NodeResponse['writeHead']
    own.writeHead = headWriter(outgoing, writeHead, changes)
  } else if (previous !== undefined && Object.hasOwn(previous, 'writeHead')) {
    own.writeHead = previous.writeHead
  } else {
    delete own.writeHead
  }
  const held = calls.get(outgoing)
  if (held === undefined) return undefined
  calls.delete(outgoing)
  let wrote = false
  for (const [method, args] of held) {
    try {
      ;(outgoing[method as keyof NodeResponse] as (...args: unknown[]) => unknown).apply(
        outgoing,
        args,
      )
    } catch (error) {
      return error
    }
    wrote ||= method === 'write'
  }
  if (wrote && !outgoing.writableNeedDrain) outgoing.emit('drain')
  return undefined
}
