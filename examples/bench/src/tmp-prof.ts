import * as apps from './apps.ts'
import { nodeListener, send, setCookies } from './node-listener.ts'
import { COUNTER_PATH } from './server-control.ts'
const scenario = process.argv[2] ?? 'existing'
const which = process.argv[3] ?? 'hono'
const handler =
  which === 'wrap'
    ? apps.fetchSessionWrap(apps.benchSessions())
    : apps.fetchSessionHono(apps.benchSessions())
const listener = nodeListener(handler)
const first = await send(listener, COUNTER_PATH, null)
const cookie = setCookies(first.head).at(-1) ?? null
const N = Number(process.argv[4] ?? 200000)
for (let i = 0; i < N; i++) await send(listener, COUNTER_PATH, scenario === 'new' ? null : cookie)
