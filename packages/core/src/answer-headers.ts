/**
 * The headers that describe a response's own answer: its body, where it redirects, how long it
 * may be cached, the cookies it sets. When the session of a response cannot be committed, an
 * error handler's answer takes its place, and must not carry these; the others (security and
 * CORS headers that middleware set) stay. For adapters, which drop them from their framework's
 * response.
 */
export const ANSWER_HEADERS: readonly string[] = [
  'cache-control',
  'set-cookie',
  'content-length',
  'content-type',
  'content-encoding',
  'content-language',
  'content-range',
  'content-disposition',
  'transfer-encoding',
  'location',
  'etag',
  'last-modified',
]
