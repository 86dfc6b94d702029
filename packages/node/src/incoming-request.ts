import type { IncomingMessage } from 'node:http'

// Sessions memoize per Request object, so every middleware that looks at one IncomingMessage must
// see the same Request: build it once and keep it as long as the message lives.
const requests = new WeakMap<IncomingMessage, Request>()

/**
 * The Fetch `Request` standing for a Node request: method, URL and headers, no body (the core
 * reads only the URL's scheme and the `Cookie` header). Built once per message; never throws,
 * whatever the client sent.
 * @param incoming the Node request
 * @returns the same `Request` for the same message
 */
export function requestFor(incoming: IncomingMessage): Request {
  let request = requests.get(incoming)
  if (request === undefined) {
    request = buildRequest(incoming)
    requests.set(incoming, request)
  }
  return request
}

function buildRequest(incoming: IncomingMessage): Request {
  const headers = new Headers()
  // From `incoming.headers` rather than `rawHeaders`: Node has already joined repeated Cookie
  // headers with "; " there, as RFC 6265 section 5.4 asks, where `Headers.append` would use ", ".
  for (const [name, value] of Object.entries(incoming.headers)) {
    if (value === undefined) continue
    for (const item of Array.isArray(value) ? value : [value]) {
      try {
        headers.append(name, item)
      } catch {
        // A value Node accepted but Fetch refuses; the core needs only the Cookie header.
      }
    }
  }
  const url = requestUrl(incoming)
  try {
    return new Request(url, { method: incoming.method ?? 'GET', headers })
  } catch {
    // Fetch refuses some methods Node accepts (TRACE, TRACK); the core does not read the method.
    return new Request(url, { headers })
  }
}

// The scheme decides `cookie.secure: "auto"`. Express computes `req.protocol` from the socket and,
// when the application trusts its proxy, from X-Forwarded-Proto; plain Node has only the socket.
function requestUrl(incoming: IncomingMessage): string {
  const express = incoming as IncomingMessage & { protocol?: unknown; originalUrl?: unknown }
  const encrypted = (incoming.socket as { encrypted?: boolean } | null)?.encrypted === true
  const scheme =
    express.protocol === 'https' || express.protocol === 'http'
      ? express.protocol
      : encrypted
        ? 'https'
        : 'http'
  // Express strips a router's mount path from `req.url` and keeps the whole in `originalUrl`.
  const target = typeof express.originalUrl === 'string' ? express.originalUrl : incoming.url
  const path = target?.startsWith('/') ? target : '/'
  for (const host of [incoming.headers.host, 'localhost']) {
    if (host === undefined || host === '') continue
    try {
      const url = new URL(`${scheme}://${host}`)
      // A Host header carrying a path, user info or query is not a host: ignore it.
      if (url.pathname !== '/' || url.username !== '' || url.search !== '' || url.hash !== '') {
        continue
      }
      // Concatenated, not resolved: a target such as "//other.example/" stays a path.
      return new URL(url.origin + path).href
    } catch {
      // Try the next candidate.
    }
  }
  return `${scheme}://localhost/`
}
