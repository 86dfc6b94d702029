// The load of one scenario on one server, for the scripts that study a single contender
// (profile.ts, gc-trace.ts): ten connections, each a browser of its own.
import type { LoadClient, ServerProcess } from './child-processes.ts'
import type { LoadResult } from './load-client.ts'
import { COUNTER_PATH, UNTOUCHED_PATH } from './server-control.ts'

const CONNECTIONS = 10

/**
 * Makes each connection's session first (but for new sessions, where every request comes
 * without a cookie), then returns a function that runs the load for some seconds.
 * @param server the contender's server
 * @param client the load client
 * @param scenario `existing` (the counter route with each connection's cookie), `new` (the
 *   counter route without one) or `untouched` (the route that never asks for the session, with
 *   the cookie)
 */
export async function scenarioLoad(
  server: ServerProcess,
  client: LoadClient,
  scenario: string,
): Promise<(seconds: number) => Promise<LoadResult>> {
  const cookies: (string | null)[] = []
  for (let i = 0; scenario !== 'new' && i < CONNECTIONS; i++) {
    const response = await fetch(server.origin + COUNTER_PATH)
    await response.text()
    cookies.push(response.headers.getSetCookie()[0]?.split(';', 1)[0] ?? null)
  }
  return (seconds) =>
    client.run({
      url: server.origin + (scenario === 'untouched' ? UNTOUCHED_PATH : COUNTER_PATH),
      connections: CONNECTIONS,
      seconds,
      cookies,
      keep: scenario !== 'new',
    })
}
