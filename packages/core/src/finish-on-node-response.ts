import { holdResponse, releaseResponse } from './hold-response.ts'
import type { NodeResponse } from './node-response.ts'
import type { SessionHeaders } from './session-headers.ts'

/**
 * Ends a request on Node by writing the session's headers with the response head, on the
 * `ServerResponse`, instead of on the Fetch `Response`: touching a `Response`'s headers turns
 * the plain header record of `@hono/node-server`'s light responses into a `Headers` object that
 * it must convert back, the largest cost a session adds to a request there. What the handler
 * writes on the `ServerResponse` itself while the session commits is held and replayed after it,
 * so that its head cannot leave without the headers; a head it wrote before is gone without them.
 * @param outgoing the response, from `nodeResponse()`
 * @param finish the commit, such as `() => sessions.finish(request, status)`
 * @throws the commit's error (what the handler wrote goes out without the session's headers), or
 *   an error that a replayed call threw, which the handler would have met at that call
 */
export async function finishOnNodeResponse(
  outgoing: NodeResponse,
  finish: () => Promise<SessionHeaders>,
): Promise<void> {
  holdResponse(outgoing)
  let changes: SessionHeaders
  try {
    changes = await finish()
  } catch (error) {
    releaseResponse(outgoing, null)
    throw error
  }
  const failed = releaseResponse(outgoing, changes)
  if (failed !== undefined) throw failed
}
