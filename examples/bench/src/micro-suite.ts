// The micro suite: the cookie codec, signing and sealing, each next to what a user would
// otherwise run (jshttp `cookie`, Hono's cookie utilities, hono-sessions' iron sealing, and
// node:crypto as the floor for HMAC), then whole requests through the contenders' applications
// in process, without HTTP; all measured with mitata in this process.
import { createHmac, timingSafeEqual } from 'node:crypto'
import {
  CookieStore,
  createSessions,
  parseCookie,
  readCookie,
  serializeCookie,
  sign,
  unsign,
} from '@fetch-session/core'
import type { SessionCrypto } from '@fetch-session/core'
import * as jshttp from 'cookie'
import { parse as honoParse, serialize as honoSerialize } from 'hono/utils/cookie'
import { createListener } from '@fetch-session/node'
import { decrypt as ironOpen, encrypt as ironSeal } from 'hono-sessions'
import { do_not_optimize, measure } from 'mitata'
import {
  bareHono,
  benchSessions,
  fetchSessionHono,
  fetchSessionWrap,
  honoSessions,
  honoSessionsStore,
} from './apps.ts'
import type { Handler } from './apps.ts'
import { nodeCrypto } from './crypto-provider.ts'
import { nodeBrowser, nodeListener, send, setCookies } from './node-listener.ts'
import type { NodeListener } from './node-listener.ts'
import { COUNTER_PATH, SECRET, UNTOUCHED_PATH } from './server-control.ts'

/** One implementation of one case. */
export interface MicroResult {
  /** The case, such as "parse a 10-cookie header". */
  group: string
  /** The implementation. */
  name: string
  /** Whether it is fetch-session's. */
  ours: boolean
  /** Whether the other results of its group are compared with it. */
  baseline: boolean
  /** Mean nanoseconds per call. */
  ns: number
  /** 99th percentile of the samples, in nanoseconds. */
  p99: number
}

/** The ~600-byte, 10-cookie header of a browser on a site with analytics and consent cookies. */
export const TEN_COOKIES = [
  '_ga=GA1.1.1284957310.1717171717',
  '_ga_Q2W3E4R5T6=GS1.1.1717171717.12.1.1717172020.0.0.0',
  '_gid=GA1.2.1790215528.1717171717',
  '_fbp=fb.1.1717171717123.1234567890123456789',
  '_hjSessionUser_3141592=eyJpZCI6ImQ0ZjEyIiwiY3JlYXRlZCI6MTcxNzE3MTcxNzEyM30',
  'cookie_consent=%7B%22necessary%22%3Atrue%2C%22analytics%22%3Atrue%2C%22marketing%22%3Afalse%2C%22v%22%3A3%7D',
  'theme=dark',
  'csrftoken=Xy7kP2mQ9vR4tW8zA1bC3dE5fG6hJ0kLmN2oP4qR6sT8uV0wX2yZ',
  'recently_viewed=8812%2C9931%2C10044%2C10271%2C10302%2C11877%2C12003%2C12119',
  'session=hQ3m9Zp0sVb7Lk2Yt4Wc8Nd1Rf6Gj5Ux.Q8wq0x1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8s9T0',
].join('; ')

/** A header with the session cookie alone. */
export const ONE_COOKIE =
  'session=hQ3m9Zp0sVb7Lk2Yt4Wc8Nd1Rf6Gj5Ux.Q8wq0x1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8s9T0'

const SESSION_VALUE =
  'hQ3m9Zp0sVb7Lk2Yt4Wc8Nd1Rf6Gj5Ux.Q8wq0x1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8s9T0'
const SESSION_ID = 'hQ3m9Zp0sVb7Lk2Yt4Wc8Nd1Rf6Gj5Ux'

/** About 200 bytes of session data once serialized. */
const SESSION_DATA = {
  user: 'user-1029384756',
  roles: ['customer', 'beta'],
  cart: [
    { sku: 'TSHIRT-BLK-M', qty: 2 },
    { sku: 'MUG-WHT', qty: 1 },
  ],
  csrf: 'c4f1e2d3b4a5968778695a4b3c2d1e0f',
  theme: 'dark',
}

/** How long mitata measures each function. */
export interface MicroSettings {
  /** Least nanoseconds of samples per function, over all passes (mitata's `min_cpu_time`). */
  minCpuTimeNs: number
  /** Calls per sample (mitata's `batch_samples`). */
  batchSamples: number
  /** Passes over all the cases; each case reports its median pass. */
  passes: number
}

interface Case {
  group: string
  name: string
  ours: boolean
  baseline: boolean
  fn: () => unknown
  /** Measured by this process's CPU time rather than by mitata's clock (see `cpuTime`). */
  cpu?: boolean
}

/**
 * Runs the micro suite.
 * @param settings how long to measure
 * @param log progress lines
 * @returns one result per implementation and case
 */
export async function runMicroSuite(
  settings: MicroSettings,
  log: (line: string) => void,
): Promise<MicroResult[]> {
  const cases = await buildCases()
  // Several passes over every case, each measuring for a share of the time, and the median
  // pass kept: a busy moment of the machine then spoils one pass of a few cases, not a case.
  const passes: { ns: number; p99: number }[][] = cases.map(() => [])
  for (let pass = 0; pass < settings.passes; pass++) {
    for (const [index, { fn, cpu }] of cases.entries()) {
      if (cpu === true) {
        const ns = await cpuTime(fn, settings.minCpuTimeNs / settings.passes, settings.batchSamples)
        passes[index]!.push({ ns, p99: Number.NaN })
        continue
      }
      const stats = await measure(fn, {
        min_cpu_time: settings.minCpuTimeNs / settings.passes,
        batch_samples: settings.batchSamples,
      })
      passes[index]!.push({ ns: stats.avg, p99: stats.p99 })
    }
    log(`micro suite: pass ${pass + 1}/${settings.passes}`)
  }
  return cases.map(({ group, name, ours, baseline }, index) => {
    const sorted = passes[index]!.sort((a, b) => a.ns - b.ns)
    const middle = sorted[(sorted.length - 1) >> 1]!
    return { group, name, ours, baseline, ns: middle.ns, p99: middle.p99 }
  })
}

// CPU time per call of this process (all its threads), in batches of `batch` calls until `budget`
// nanoseconds of CPU are spent; the median batch. Time the process spends preempted by other work
// on the machine does not count, which a clock would.
async function cpuTime(fn: () => unknown, budget: number, batch: number): Promise<number> {
  const batches: number[] = []
  let spent = 0
  while (spent < budget || batches.length < 5) {
    const start = process.cpuUsage()
    for (let i = 0; i < batch; i++) await fn()
    const used = process.cpuUsage(start)
    const ns = (used.user + used.system) * 1000
    spent += ns
    batches.push(ns / batch)
  }
  batches.sort((a, b) => a - b)
  return batches[batches.length >> 1]!
}

async function buildCases(): Promise<Case[]> {
  const cases: Case[] = []
  // In the codec and crypto groups, fetch-session's first entry is the baseline.
  const add = (group: string, name: string, ours: boolean, fn: () => unknown) =>
    cases.push({ group, name, ours, baseline: ours && !cases.some((c) => c.group === group), fn })

  for (const [group, header] of [
    [`parse a 10-cookie header (${TEN_COOKIES.length} bytes)`, TEN_COOKIES],
    [`parse a 1-cookie header (${ONE_COOKIE.length} bytes)`, ONE_COOKIE],
  ] as const) {
    add(group, 'fetch-session `parseCookie`', true, () => do_not_optimize(parseCookie(header)))
    add(group, 'jshttp `cookie` 1.1 `parse`', false, () => do_not_optimize(jshttp.parse(header)))
    add(group, 'Hono `parse` (all cookies)', false, () => do_not_optimize(honoParse(header)))
    add(group, 'Hono `parse` (one name)', false, () =>
      do_not_optimize(honoParse(header, 'session')),
    )
    // What `sessions.load()` runs: the session cookie alone, no record of the others.
    add(group, 'fetch-session `readCookie` (one name)', false, () =>
      do_not_optimize(readCookie(header, 'session')),
    )
  }

  const serialize = 'serialize the session `Set-Cookie`'
  add(serialize, 'fetch-session `serializeCookie`', true, () =>
    do_not_optimize(
      serializeCookie('session', SESSION_VALUE, {
        path: '/',
        httpOnly: true,
        secure: true,
        sameSite: 'lax',
        maxAge: 1209600,
      }),
    ),
  )
  add(serialize, 'jshttp `cookie` 1.1 `serialize`', false, () =>
    do_not_optimize(
      jshttp.serialize('session', SESSION_VALUE, {
        path: '/',
        httpOnly: true,
        secure: true,
        sameSite: 'lax',
        maxAge: 1209600,
      }),
    ),
  )
  add(serialize, 'Hono `serialize`', false, () =>
    do_not_optimize(
      honoSerialize('session', SESSION_VALUE, {
        path: '/',
        httpOnly: true,
        secure: true,
        sameSite: 'Lax',
        maxAge: 1209600,
      }),
    ),
  )

  // Signing: the core's `sign`/`unsign` with each crypto implementation, and bare node:crypto
  // as the floor.
  const signed = await sign(SESSION_ID, SECRET)
  const providers: [string, SessionCrypto | undefined][] = [['Web Crypto (default)', undefined]]
  if (nodeCrypto !== null) providers.push(['`nodeCrypto`', nodeCrypto])
  for (const [label, provider] of providers) {
    add('sign a session id (HMAC-SHA256)', `fetch-session \`sign\`, ${label}`, true, () =>
      sign(SESSION_ID, SECRET, provider),
    )
    add('verify a signed session id', `fetch-session \`unsign\`, ${label}`, true, async () => {
      if ((await unsign(signed, [SECRET], provider)) === null) throw new Error('not verified')
    })
  }
  const mac = createHmac('sha256', SECRET).update(SESSION_ID).digest()
  add('sign a session id (HMAC-SHA256)', 'node:crypto `createHmac` (floor)', false, () =>
    do_not_optimize(createHmac('sha256', SECRET).update(SESSION_ID).digest('base64url')),
  )
  add('verify a signed session id', 'node:crypto `createHmac` + `timingSafeEqual`', false, () =>
    do_not_optimize(timingSafeEqual(createHmac('sha256', SECRET).update(SESSION_ID).digest(), mac)),
  )

  // Sealing, through the public API: committing a changed ~200-byte session to a CookieStore
  // seals it; loading a request that carries the sealed cookie opens it (the store's cache of
  // opened cookies is off, so that every load decrypts).
  for (const [label, provider] of providers) {
    const sealing = await sealingCases(provider)
    add(
      'seal a ~200-byte session (CookieStore commit)',
      `fetch-session, ${label}`,
      true,
      sealing.seal,
    )
    add(
      'open a ~200-byte session (CookieStore load)',
      `fetch-session, ${label}`,
      true,
      sealing.open,
    )
  }
  const payload = JSON.stringify(SESSION_DATA)
  const ironSealed = await ironSeal(SECRET, payload)
  add(
    'seal a ~200-byte session (CookieStore commit)',
    'hono-sessions `encrypt` (iron)',
    false,
    () => ironSeal(SECRET, payload),
  )
  add('open a ~200-byte session (CookieStore load)', 'hono-sessions `decrypt` (iron)', false, () =>
    ironOpen(SECRET, ironSealed),
  )
  add(
    'open a ~200-byte session (CookieStore load)',
    '`new Request()` alone (included above)',
    false,
    () => do_not_optimize(new Request('http://127.0.0.1/', { headers: { cookie: 'a=b' } })),
  )
  cases.push(...(await requestCases()))
  cases.push(...(await listenerCases()))
  return cases
}

const ORIGIN = 'http://127.0.0.1'

// One browser: each call sends one request to the handler with the browser's cookie, if it
// keeps one, and keeps the cookie that the response sets.
function browser(handler: Handler, path: string, cookie: string | null): () => Promise<void> {
  let jar = cookie
  return async () => {
    const init = jar === null ? {} : { headers: { cookie: jar } }
    const response = await handler(new Request(ORIGIN + path, init))
    const set = response.headers.getSetCookie().at(-1)
    if (jar !== null && set !== undefined) jar = set.split(';', 1)[0]!
  }
}

// The cookie of a new session, from a first request.
async function sessionCookie(handler: Handler): Promise<string> {
  const response = await handler(new Request(ORIGIN + COUNTER_PATH))
  const set = response.headers.getSetCookie().at(-1)
  if (set === undefined) throw new Error('no session cookie')
  return set.split(';', 1)[0]!
}

// Whole requests through the contenders' applications, in process: what each adds to bare
// Hono with no HTTP and no other process involved. `new Request()` is included everywhere.
async function requestCases(): Promise<Case[]> {
  const cases: Case[] = []
  const groups = {
    existing: 'in process: `GET /counter` with the session cookie',
    new: 'in process: `GET /counter` without a cookie (new session)',
    untouched: 'in process: `GET /untouched` with the session cookie',
  }
  const cryptos: [string, SessionCrypto | null][] = [['', null]]
  if (nodeCrypto !== null) cryptos.push([', `nodeCrypto`', nodeCrypto])
  const add = (group: string, name: string, ours: boolean, fn: () => unknown, baseline = false) =>
    cases.push({ group, name, ours, baseline, fn })

  for (const group of Object.values(groups)) {
    const path = group === groups.untouched ? UNTOUCHED_PATH : COUNTER_PATH
    add(group, 'bare Hono, no session', false, browser(bareHono(), path, null), true)
  }
  const emptyMiddleware = browser(bareHono(true), UNTOUCHED_PATH, null)
  add(groups.untouched, 'bare Hono + an empty middleware', false, emptyMiddleware)
  for (const [label, crypto] of cryptos) {
    const memory = fetchSessionHono(benchSessions(undefined, crypto))
    const cookie = fetchSessionHono(benchSessions(new CookieStore(), crypto))
    const memoryCookie = await sessionCookie(memory)
    const cookieCookie = await sessionCookie(cookie)
    const memoryName = `Hono + fetch-session, MemoryStore${label}`
    const cookieName = `Hono + fetch-session, CookieStore${label}`
    add(groups.existing, memoryName, true, browser(memory, COUNTER_PATH, memoryCookie))
    add(groups.existing, cookieName, true, browser(cookie, COUNTER_PATH, cookieCookie))
    add(groups.new, memoryName, true, browser(memory, COUNTER_PATH, null))
    add(groups.new, cookieName, true, browser(cookie, COUNTER_PATH, null))
    if (crypto === null) {
      add(groups.untouched, memoryName, true, browser(memory, UNTOUCHED_PATH, memoryCookie))
    }
  }
  const wrap = fetchSessionWrap(benchSessions())
  const wrapCookie = await sessionCookie(wrap)
  add(
    groups.existing,
    '`sessions.wrap`, MemoryStore',
    true,
    browser(wrap, COUNTER_PATH, wrapCookie),
  )
  add(
    groups.untouched,
    '`sessions.wrap`, MemoryStore',
    true,
    browser(wrap, UNTOUCHED_PATH, wrapCookie),
  )
  for (const kind of ['memory', 'cookie'] as const) {
    const app = honoSessions(honoSessionsStore(kind))
    const cookie = await sessionCookie(app)
    const name = `Hono + hono-sessions, ${kind === 'memory' ? 'MemoryStore' : 'CookieStore'}`
    add(groups.existing, name, false, browser(app, COUNTER_PATH, cookie))
    add(groups.new, name, false, browser(app, COUNTER_PATH, null))
    if (kind === 'memory') add(groups.untouched, name, false, browser(app, UNTOUCHED_PATH, cookie))
  }
  return cases
}

// The same requests through the request listener that serves them on Node (`@hono/node-server`'s,
// and `createListener` of @fetch-session/node for `sessions.wrap`), with a real IncomingMessage
// and ServerResponse but no socket: what the server adds to a request on Node, response writing
// included, without the kernel's share. Measured by CPU time, as other work on the machine
// disturbs it least.
async function listenerCases(): Promise<Case[]> {
  const cases: Case[] = []
  const groups = {
    existing: 'on Node, no socket: `GET /counter` with the session cookie',
    new: 'on Node, no socket: `GET /counter` without a cookie (new session)',
    untouched: 'on Node, no socket: `GET /untouched` with the session cookie',
  }
  const add = (group: string, name: string, ours: boolean, fn: () => unknown, baseline = false) =>
    cases.push({ group, name, ours, baseline, fn, cpu: true })
  const cookieOf = async (listener: NodeListener) => {
    const cookie = setCookies((await send(listener, COUNTER_PATH, null)).head).at(-1)
    if (cookie === undefined) throw new Error('no session cookie')
    return cookie
  }
  const bare = nodeListener(bareHono())
  for (const group of Object.values(groups)) {
    const path = group === groups.untouched ? UNTOUCHED_PATH : COUNTER_PATH
    add(group, 'bare Hono, no session', false, nodeBrowser(bare, path, null), true)
  }
  add(
    groups.untouched,
    'bare Hono + an empty middleware',
    false,
    nodeBrowser(nodeListener(bareHono(true)), UNTOUCHED_PATH, null),
  )
  const cryptos: [string, SessionCrypto | null][] = [['', null]]
  if (nodeCrypto !== null) cryptos.push([', `nodeCrypto`', nodeCrypto])
  for (const [label, crypto] of cryptos) {
    const memory = nodeListener(fetchSessionHono(benchSessions(undefined, crypto)))
    const cookie = nodeListener(fetchSessionHono(benchSessions(new CookieStore(), crypto)))
    const memoryName = `Hono + fetch-session, MemoryStore${label}`
    const cookieName = `Hono + fetch-session, CookieStore${label}`
    const memoryCookie = await cookieOf(memory)
    add(groups.existing, memoryName, true, nodeBrowser(memory, COUNTER_PATH, memoryCookie))
    add(
      groups.existing,
      cookieName,
      true,
      nodeBrowser(cookie, COUNTER_PATH, await cookieOf(cookie)),
    )
    add(groups.new, memoryName, true, nodeBrowser(memory, COUNTER_PATH, null))
    if (crypto === null) {
      add(groups.untouched, memoryName, true, nodeBrowser(memory, UNTOUCHED_PATH, memoryCookie))
    }
  }
  const wrap = createListener(fetchSessionWrap(benchSessions())) as unknown as NodeListener
  const wrapCookie = await cookieOf(wrap)
  const wrapName = '`sessions.wrap`, MemoryStore (`createListener`)'
  add(groups.existing, wrapName, true, nodeBrowser(wrap, COUNTER_PATH, wrapCookie))
  add(groups.new, wrapName, true, nodeBrowser(wrap, COUNTER_PATH, null))
  add(groups.untouched, wrapName, true, nodeBrowser(wrap, UNTOUCHED_PATH, wrapCookie))
  return cases
}

async function sealingCases(
  provider: SessionCrypto | undefined,
): Promise<{ seal: () => Promise<unknown>; open: () => Promise<unknown> }> {
  const sessions = createSessions({
    secrets: SECRET,
    store: new CookieStore({ cacheSize: 0 }),
    ...(provider === undefined ? {} : { crypto: provider }),
  })
  const session = await sessions.load(new Request('http://127.0.0.1/'))
  for (const [key, value] of Object.entries(SESSION_DATA)) session.set(key, value)
  let n = 0
  const seal = async () => {
    // A change each time, so that every commit seals.
    session.set('theme', n++ % 2 === 0 ? 'dark' : 'lite')
    return sessions.commit(session, new Response(null))
  }
  const response = await seal()
  const cookie = response.headers.getSetCookie()[0]!.split(';', 1)[0]!
  const open = async () => {
    const loaded = await sessions.load(new Request('http://127.0.0.1/', { headers: { cookie } }))
    if (loaded.isNew) throw new Error('the sealed cookie did not open')
  }
  return { seal, open }
}
