import type { OutgoingHttpHeaders, ServerResponse } from 'node:http'

type HeadMethod = 'writeHead' | 'write' | 'end' | 'flushHeaders'

// Responses whose end() is queued: complete from the application's point of view.
const ending = new WeakSet<ServerResponse>()

/**
 * Tells whether the application has ended a response, including one whose `end()` is still
 * held by `deferHead`.
 * @param res the response
 */
export function hasEnded(res: ServerResponse): boolean {
  return res.writableEnded || ending.has(res)
}

/**
 * Holds back a response's head until `prepare` has run. Node renders the head synchronously, at
 * the first `writeHead`, `write`, `end` or `flushHeaders`, but the session commit is asynchronous;
 * so that first call and every later one are queued, `prepare(status)` decorates the response,
 * and the queue is replayed in order. To the application the head counts as sent from its first
 * call: `res.headersSent` is true and a second `writeHead` throws, as they would without the hold.
 * @param res the response to hold
 * @param prepare called once with the status about to be sent; resolves when the head is ready
 * @param fail called instead of the replay when `prepare` rejects; the queued calls are dropped
 */
export function deferHead(
  res: ServerResponse,
  prepare: (status: number) => Promise<void>,
  fail: (error: unknown) => void,
): void {
  // Whatever is installed now (Node's own methods, or another middleware's wrappers) is what the
  // replay calls; the wrappers below stay in place afterwards and pass straight through.
  const original = {
    writeHead: res.writeHead,
    write: res.write,
    end: res.end,
    flushHeaders: res.flushHeaders,
  }
  const queue: Array<[HeadMethod, unknown[]]> = []
  let state: 'open' | 'holding' | 'done' = 'open'
  let blocked = false

  const call = (method: HeadMethod, args: unknown[]): unknown =>
    (original[method] as (...args: unknown[]) => unknown).apply(res, args)

  const finish = () => {
    state = 'done'
    delete (res as { headersSent?: boolean }).headersSent
  }

  const hold = (method: HeadMethod, args: unknown[], status: number) => {
    queue.push([method, args])
    if (state !== 'open') return
    state = 'holding'
    Object.defineProperty(res, 'headersSent', { configurable: true, get: () => true })
    prepare(status).then(
      () => {
        finish()
        try {
          for (const [queued, queuedArgs] of queue) call(queued, queuedArgs)
        } catch {
          // The calls were checked as they came; should Node still refuse one, the response
          // cannot be completed.
          res.destroy()
          return
        }
        // A queued write answered false (see below): whoever waits for 'drain' gets it now,
        // unless the replayed writes filled the socket's buffer, in which case Node emits it.
        if (blocked && !res.writableNeedDrain) res.emit('drain')
      },
      (error: unknown) => {
        finish()
        ending.delete(res)
        queue.length = 0
        fail(error)
      },
    )
  }

  res.writeHead = function writeHead(this: ServerResponse, ...args: unknown[]) {
    if (state === 'done') return call('writeHead', args) as ServerResponse
    if (state === 'holding') throw headersSentError()
    const [statusCode, reason, headers] = args
    const status = Number(statusCode) | 0
    if (status < 100 || status > 999) {
      throw Object.assign(new RangeError(`Invalid status code: ${String(statusCode)}`), {
        code: 'ERR_HTTP_INVALID_STATUS_CODE',
      })
    }
    // Headers given to writeHead are merged into the response now, as Node merges them into
    // those set with setHeader, so that the session's headers are added to the whole set.
    applyHeadHeaders(res, typeof reason === 'string' ? headers : (headers ?? reason))
    res.statusCode = status
    hold('writeHead', typeof reason === 'string' ? [status, reason] : [status], status)
    return res
  } as ServerResponse['writeHead']

  res.write = function write(this: ServerResponse, ...args: unknown[]) {
    if (state === 'done') return call('write', args) as boolean
    checkChunk(args[0])
    hold('write', args, res.statusCode)
    // Nothing reaches the socket before the replay: ask writers (pipe(), pipeline()) to wait
    // for 'drain' rather than buffer a whole stream in the queue.
    blocked = true
    return false
  } as ServerResponse['write']

  res.end = function end(this: ServerResponse, ...args: unknown[]) {
    if (state === 'done') return call('end', args) as ServerResponse
    // end() skips a falsy chunk and takes a function as its callback.
    if (args[0] && typeof args[0] !== 'function') checkChunk(args[0])
    ending.add(res)
    hold('end', args, res.statusCode)
    return res
  } as ServerResponse['end']

  res.flushHeaders = function flushHeaders(this: ServerResponse) {
    if (state === 'done') return void call('flushHeaders', [])
    hold('flushHeaders', [], res.statusCode)
  }
}

// Node's own rules for writeHead's headers argument (lib/_http_server.js): an object sets each
// header, replacing a previous value; a flat [name, value, name, value] array replaces previous
// values but keeps its own duplicates.
function applyHeadHeaders(res: ServerResponse, headers: unknown): void {
  if (headers === undefined || headers === null) return
  if (Array.isArray(headers)) {
    if (headers.length % 2 !== 0) {
      throw Object.assign(new TypeError('The "headers" array must have an even length'), {
        code: 'ERR_INVALID_ARG_VALUE',
      })
    }
    for (let i = 0; i < headers.length; i += 2) res.removeHeader(String(headers[i]))
    for (let i = 0; i < headers.length; i += 2) {
      if (headers[i]) res.appendHeader(String(headers[i]), headers[i + 1] as string | string[])
    }
    return
  }
  for (const [name, value] of Object.entries(headers as OutgoingHttpHeaders)) {
    if (name) res.setHeader(name, value as string | number | readonly string[])
  }
}

// Node checks a chunk when it is written; a held write would only fail at the replay, out of
// the application's reach, so the same check is made at the call.
function checkChunk(chunk: unknown): void {
  if (typeof chunk === 'string' || chunk instanceof Uint8Array) return
  throw Object.assign(
    new TypeError(
      'The "chunk" argument must be of type string or an instance of Buffer or Uint8Array',
    ),
    { code: chunk === null ? 'ERR_STREAM_NULL_VALUES' : 'ERR_INVALID_ARG_TYPE' },
  )
}

function headersSentError(): Error {
  return Object.assign(new Error('Cannot write headers after they are sent to the client'), {
    code: 'ERR_HTTP_HEADERS_SENT',
  })
}
