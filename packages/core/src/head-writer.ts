import { privateCacheControl, varyWithCookie } from './session-headers.ts'
import type { SessionHeaders } from './session-headers.ts'
import type { NodeResponse } from './node-response.ts'

/**
 * A `writeHead` for one response that merges the session's headers with the response's own,
 * since Node lets headers passed to `writeHead()` override those set before. To install as the
 * response's own property; once called it removes itself, so the prototype's method shows
 * through again.
 * @param outgoing the response
 * @param writeHead the method to call with the merged head: the prototype's, or what the
 *   response had as its own
 * @param changes the session's headers
 */
export function headWriter(
  outgoing: NodeResponse,
  writeHead: NodeResponse['writeHead'],
  changes: SessionHeaders,
): NodeResponse['writeHead'] {
  return function (this: NodeResponse, status: number, ...rest: unknown[]) {
    delete (outgoing as Partial<NodeResponse>).writeHead
    const last = rest.length === 0 ? undefined : rest[rest.length - 1]
    if (last === undefined || last === null || typeof last !== 'object') {
      applyToResponse(outgoing, changes)
    } else {
      rest[rest.length - 1] = Array.isArray(last)
        ? mergeIntoList(outgoing, last as unknown[], changes)
        : mergeIntoRecord(outgoing, last as Record<string, unknown>, changes)
    }
    return writeHead.call(this, status, ...rest)
  }
}

// Headers written with setHeader() before writeHead() (or with none passed to it).
function applyToResponse(outgoing: NodeResponse, changes: SessionHeaders): void {
  if (changes.vary) {
    const vary = varyWithCookie(joined(outgoing.getHeader('vary'), ', '))
    if (vary !== null) outgoing.setHeader('vary', vary)
  }
  if (changes.setCookie !== null) {
    const existing = outgoing.getHeader('set-cookie')
    outgoing.setHeader('set-cookie', [...list(existing).map(String), changes.setCookie])
  }
  if (changes.private) {
    const cacheControl = privateCacheControl(joined(outgoing.getHeader('cache-control'), ', '))
    if (cacheControl !== null) outgoing.setHeader('cache-control', cacheControl)
  }
}

// A copy of the record writeHead() was given (it may be the application's own object), with the
// session's headers merged in under names of any case, and with those set before with
// setHeader(), which the record would override.
function mergeIntoRecord(
  outgoing: NodeResponse,
  headers: Record<string, unknown>,
  changes: SessionHeaders,
): Record<string, unknown> {
  const merged: Record<string, unknown> = {}
  let vary: string | null = null
  let cacheControl: string | null = null
  let cookies: unknown
  let found = 0
  for (const name in headers) {
    const value = headers[name]
    const length = name.length
    if (length === 4 && name.toLowerCase() === 'vary') vary = joined(value, ', ')
    else if (length === 10 && name.toLowerCase() === 'set-cookie') cookies = value
    else if (length === 13 && name.toLowerCase() === 'cache-control') {
      cacheControl = joined(value, ', ')
    } else {
      merged[name] = value
      continue
    }
    found++
    merged[name.toLowerCase()] = value
  }
  if (found < 3) {
    vary ??= joined(outgoing.getHeader('vary'), ', ')
    cookies ??= outgoing.getHeader('set-cookie')
    cacheControl ??= joined(outgoing.getHeader('cache-control'), ', ')
  }
  if (changes.vary) merged['vary'] = varyWithCookie(vary) ?? vary
  if (changes.setCookie !== null) merged['set-cookie'] = [...list(cookies), changes.setCookie]
  if (changes.private) merged['cache-control'] = privateCacheControl(cacheControl) ?? cacheControl
  return merged
}

// The same for a flat list of names and values, which Node also takes: a name in the list
// replaces what setHeader() set under it, the others stay.
function mergeIntoList(
  outgoing: NodeResponse,
  headers: unknown[],
  changes: SessionHeaders,
): unknown[] {
  const merged: unknown[] = []
  let vary: string | null = null
  let cacheControl: string | null = null
  let cookies = false
  for (let i = 0; i + 1 < headers.length; i += 2) {
    const name = String(headers[i]).toLowerCase()
    const value = headers[i + 1]
    if (name === 'set-cookie') cookies = true
    if (name === 'vary' && changes.vary) vary = vary === null ? String(value) : `${vary}, ${value}`
    else if (name === 'cache-control' && changes.private) {
      cacheControl = cacheControl === null ? String(value) : `${cacheControl}, ${value}`
    } else merged.push(headers[i], value)
  }
  vary ??= joined(outgoing.getHeader('vary'), ', ')
  cacheControl ??= joined(outgoing.getHeader('cache-control'), ', ')
  if (!cookies && changes.setCookie !== null) {
    for (const cookie of list(outgoing.getHeader('set-cookie'))) merged.push('set-cookie', cookie)
  }
  if (changes.vary) {
    const value = varyWithCookie(vary) ?? vary
    if (value !== null) merged.push('vary', value)
  }
  if (changes.setCookie !== null) merged.push('set-cookie', changes.setCookie)
  if (changes.private) {
    const value = privateCacheControl(cacheControl) ?? cacheControl
    if (value !== null) merged.push('cache-control', value)
  }
  return merged
}

// A header value as Node holds it (a string, a number or a list) as one string, or null.
function joined(value: unknown, separator: string): string | null {
  if (value === undefined || value === null) return null
  return Array.isArray(value) ? value.join(separator) : String(value)
}

function list(value: unknown): unknown[] {
  if (value === undefined || value === null) return []
  return Array.isArray(value) ? value : [value]
}
