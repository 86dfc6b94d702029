import type { OutgoingHttpHeaders, ServerResponse } from 'node:http'

type HeadMethod = 'writeHead' | 'write' | 'end' | 'flushHeaders'
type Listener = (...args: unknown[]) => unknown

// Node's private hook that writes the head with the current status (ServerResponse calls it from
// write() and end() when `res._header` is still null). Some middleware call it themselves.
interface ImplicitHeader {
  _implicitHeader(this: ServerResponse): void
}

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
 * call: `res.headersSent` is true and a second `writeHead` throws, as they would without the hold
 * (except a bare `writeHead` of the same status, which changes nothing and is let through, as is
 * Node's private `res._implicitHeader()`: middleware that look at `res._header`, which stays null
 * until the replay, call them to make sure the head is out).
 * @param res the response to hold
 * @param prepare called once with the status about to be sent; resolves when the head is ready
 * @param fail called instead of the replay when `prepare` rejects: the queued calls are dropped,
 *   their callbacks get the error, and writers waiting for `'drain'` get it once the response
 *   that `fail` sends in their place has gone out. When a wrapper of `write` or `end` was
 *   installed after this one, the connection is closed before `fail` is called.
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
    implicitHeader: (res as unknown as ImplicitHeader)._implicitHeader,
    on: res.on,
    addListener: res.addListener,
    removeListener: res.removeListener,
    off: res.off,
  }
  const queue: Array<[HeadMethod, unknown[]]> = []
  let state: 'open' | 'holding' | 'done' = 'open'
  let heldStatus = 0
  // A held write answered false: its writer waits for 'drain', which only the replay can bring.
  let blocked = false
  // 'drain' listeners added before the replay. A wrapper installed before this one may move them
  // off the response (compression hands them to its zlib stream once it knows it compresses), so
  // they are kept here too, to be called where a 'drain' emitted on the response cannot reach.
  const waiting = new Set<Listener>()

  const call = (method: HeadMethod, args: unknown[]): unknown =>
    (original[method] as (...args: unknown[]) => unknown).apply(res, args)

  const finish = () => {
    state = 'done'
    delete (res as { headersSent?: boolean }).headersSent
  }

  // Lets the writers told to wait go on: those listening on the response through 'drain', and
  // those whose listener a wrapper moved elsewhere, each called once.
  const release = () => {
    const onResponse = res.rawListeners('drain')
    const elsewhere = [...waiting].filter((listener) => !onResponse.includes(listener))
    waiting.clear()
    res.emit('drain')
    for (const listener of elsewhere) listener.call(res)
  }

  const hold = (method: HeadMethod, args: unknown[], status: number) => {
    queue.push([method, args])
    if (state !== 'open') return
    state = 'holding'
    heldStatus = status
    Object.defineProperty(res, 'headersSent', { configurable: true, get: () => true })
    prepare(status).then(
      () => {
        finish()
        // The head carries the status the session was committed for: as in Node, a status set
        // once the head is out changes nothing.
        res.statusCode = status
        // Whether what lies below (Node, or a wrapper's stream) will emit 'drain' itself: once a
        // write answers false, the following ones do too until it does.
        let draining = false
        try {
          for (const [queued, queuedArgs] of queue) {
            const result = call(queued, queuedArgs)
            if (queued === 'write') draining = result === false
          }
        } catch {
          // The calls were checked as they came; should Node still refuse one, the response
          // cannot be completed.
          queue.length = 0
          res.destroy()
          return
        }
        queue.length = 0
        if (blocked && !draining) release()
        else waiting.clear()
      },
      (error: unknown) => {
        finish()
        ending.delete(res)
        const callbacks = queue.flatMap(([, queuedArgs]) => queuedArgs.filter(isListener))
        queue.length = 0
        // A middleware mounted after this one that wraps write() or end() (compression,
        // express-session) has seen the dropped calls and keeps state of the discarded response:
        // no other response can go through it, so the connection is closed, as when a response
        // fails once its head is out. `fail` is still told, to report the error.
        if (res.write !== write || res.end !== end) res.destroy()
        fail(error)
        // The held writes will never be written, as when Node fails a write.
        for (const callback of callbacks) process.nextTick(callback, error)
        // A writer waiting for 'drain' may go on only once the response that replaced its own
        // is out, so that none of its writes slips into it; they then fail as writes after
        // end() do. A piped source is unpiped when the response closes, as in Node.
        if (!blocked) return waiting.clear()
        if (res.destroyed) process.nextTick(release)
        else res.once('close', release)
      },
    )
  }

  res.writeHead = function writeHead(this: ServerResponse, ...args: unknown[]) {
    if (state === 'done') return call('writeHead', args) as ServerResponse
    const [statusCode, reason, headers] = args
    if (state === 'holding') {
      // Middleware that see `res._header` still null (compression 1.7, express-session) write
      // the head again with the current status: harmless, so not refused.
      if (Number(statusCode) === heldStatus && args.slice(1).every((a) => a === undefined)) {
        return res
      }
      throw headersSentError()
    }
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

  // Node's own is `this.writeHead(this.statusCode)`; while the head is held it is already
  // counted as written, so there is nothing left to do.
  ;(res as unknown as ImplicitHeader)._implicitHeader = function _implicitHeader(
    this: ServerResponse,
  ) {
    if (state !== 'holding') original.implicitHeader.call(this)
  }

  const write = function write(this: ServerResponse, ...args: unknown[]) {
    if (state === 'done') return call('write', args) as boolean
    checkChunk(args[0])
    hold('write', args, res.statusCode)
    // Nothing reaches the socket before the replay: ask writers (pipe(), pipeline()) to wait
    // for 'drain' rather than buffer a whole stream in the queue.
    blocked = true
    return false
  } as ServerResponse['write']
  res.write = write

  const end = function end(this: ServerResponse, ...args: unknown[]) {
    if (state === 'done') return call('end', args) as ServerResponse
    // end() skips a falsy chunk and takes a function as its callback.
    if (args[0] && typeof args[0] !== 'function') checkChunk(args[0])
    ending.add(res)
    hold('end', args, res.statusCode)
    return res
  } as ServerResponse['end']
  res.end = end

  res.flushHeaders = function flushHeaders(this: ServerResponse) {
    if (state === 'done') return void call('flushHeaders', [])
    hold('flushHeaders', [], res.statusCode)
  }

  for (const method of ['on', 'addListener'] as const) {
    res[method] = function listen(
      this: ServerResponse,
      event: string | symbol,
      listener: Listener,
    ) {
      if (event === 'drain' && state !== 'done') waiting.add(listener)
      return original[method].call(this, event, listener)
    } as ServerResponse['on']
  }
  for (const method of ['removeListener', 'off'] as const) {
    res[method] = function unlisten(
      this: ServerResponse,
      event: string | symbol,
      listener: Listener,
    ) {
      if (event === 'drain') {
        // once() adds a wrapper, which remembers the listener it wraps.
        for (const added of waiting) {
          if (added === listener || (added as { listener?: unknown }).listener === listener) {
            waiting.delete(added)
          }
        }
      }
      return original[method].call(this, event, listener)
    } as ServerResponse['off']
  }
}

function isListener(value: unknown): value is Listener {
  return typeof value === 'function'
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
