// The load generator: autocannon, in a process of its own (pinned to another core than the
// servers), driven by the bench over IPC. Each connection plays one browser: it starts with the
// cookie the bench gives it, keeps whatever cookie the server sets, and checks that the counter
// it reads goes up by one on every response.
import autocannon from 'autocannon'
import type { Client, Options, Result } from 'autocannon'

/** One load run, as the bench asks for it. */
export interface LoadRequest {
  type: 'run'
  url: string
  connections: number
  /** Seconds to run for; with `amount`, the most seconds to spend on it. */
  seconds: number
  /** Requests to send in all; none means "for `seconds`". */
  amount?: number
  /** The starting cookie (`name=value`) of each connection; `null` for none. */
  cookies: (string | null)[]
  /** Whether connections keep the cookies that responses set (a browser does). */
  keep: boolean
}

/** What one connection saw. */
export interface ConnectionReport {
  responses: number
  /** The first and last counter values read, or -1 when the body was not a number. */
  first: number
  last: number
  /** Responses whose counter was not the previous one plus one. */
  jumps: number
  /** Responses whose counter was 1: a session's first write. */
  ones: number
  /** The cookie the connection holds at the end, `name=value`, or `null`. */
  cookie: string | null
}

/** The outcome of one load run. */
export interface LoadResult {
  requests: number
  seconds: number
  rps: number
  p50Ms: number
  p99Ms: number
  /** Connection errors, timeouts and non-2xx responses. */
  errors: number
  /** Responses that carried a `Set-Cookie`. */
  setCookies: number
  /** Share of one core the load generator used during the run. */
  clientCpu: number
  connections: ConnectionReport[]
}

interface Jar {
  cookies: Map<string, string>
  report: ConnectionReport
  body: string
  setCookie: boolean
}

// A `Set-Cookie` value's first pair: the name and the value up to the first `;`.
const SET_COOKIE_PAIR = /^\s*([^=;\s]+)=([^;]*)/

async function run(request: LoadRequest): Promise<LoadResult> {
  const jars: Jar[] = []
  let setCookies = 0
  let next = 0
  const cpu = process.cpuUsage()
  const started = performance.now()
  // autocannon reports only when its sampling tick comes; the run ends at the last response.
  let finished = started

  const setupClient = (client: Client): void => {
    const given = request.cookies[next++] ?? null
    const jar: Jar = {
      cookies: new Map(),
      report: { responses: 0, first: -1, last: -1, jumps: 0, ones: 0, cookie: given },
      body: '',
      setCookie: false,
    }
    jars.push(jar)
    if (given !== null) {
      const match = SET_COOKIE_PAIR.exec(given)
      if (match !== null) jar.cookies.set(match[1]!, match[2]!)
      client.setHeaders({ cookie: given })
    }
    client.on('headers', ({ headers }) => {
      jar.body = ''
      jar.setCookie = false
      for (let i = 0; i < headers.length; i += 2) {
        if (headers[i]!.toLowerCase() !== 'set-cookie') continue
        jar.setCookie = true
        if (!request.keep) continue
        const match = SET_COOKIE_PAIR.exec(headers[i + 1]!)
        if (match === null) continue
        // An empty value (or Max-Age=0) is a deletion, as a browser reads it.
        if (match[2] === '' || /;\s*max-age=0\b/i.test(headers[i + 1]!)) {
          jar.cookies.delete(match[1]!)
        } else {
          jar.cookies.set(match[1]!, match[2]!)
        }
      }
      if (jar.setCookie && request.keep) {
        const header = [...jar.cookies].map(([name, value]) => `${name}=${value}`).join('; ')
        jar.report.cookie = header === '' ? null : header
        client.setHeaders(header === '' ? {} : { cookie: header })
      }
    })
    client.on('body', (chunk) => {
      jar.body += chunk.toString()
    })
    client.on('response', () => {
      finished = performance.now()
      const report = jar.report
      if (jar.setCookie) setCookies++
      report.responses++
      const count = /^\d+$/.test(jar.body) ? Number(jar.body) : -1
      if (count === 1) report.ones++
      if (report.first === -1) report.first = count
      else if (count !== report.last + 1) report.jumps++
      report.last = count
    })
  }

  const result = await new Promise<Result>((resolve, reject) => {
    const options: Options = {
      url: request.url,
      connections: request.connections,
      timeout: 10,
      sampleInt: 100,
      setupClient,
    }
    if (request.amount === undefined) options.duration = request.seconds
    else options.amount = request.amount
    const instance = autocannon(options, (error, result) =>
      error === null ? resolve(result) : reject(error),
    )
    // A bounded run: a slow contender stops at the time limit with what it has done.
    if (request.amount !== undefined) {
      const timer = setTimeout(() => instance.stop(), request.seconds * 1000)
      timer.unref()
    }
  })

  const seconds = (finished - started) / 1000
  const used = process.cpuUsage(cpu)
  const requests = result.requests.total
  return {
    requests,
    seconds,
    rps: seconds > 0 ? requests / seconds : 0,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    errors: result.errors + result.timeouts + result.non2xx,
    setCookies,
    clientCpu: seconds > 0 ? (used.user + used.system) / 1e6 / seconds : 0,
    connections: jars.map((jar) => jar.report),
  }
}

process.on('message', (message: LoadRequest & { id: number }) => {
  if (message.type !== 'run') return
  run(message).then(
    (result) => process.send!({ type: 'result', id: message.id, result }),
    (error: unknown) => process.send!({ type: 'error', id: message.id, message: String(error) }),
  )
})
process.on('disconnect', () => process.exit(0))
process.send!({ type: 'ready' })
