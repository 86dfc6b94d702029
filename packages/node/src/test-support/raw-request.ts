// An HTTP/1.1 exchange through node:http's client, to see headers exactly as they travel
// (each Set-Cookie on its own, repeated request headers sent as they are).
import { request } from 'node:http'
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http'

export interface RawResponse {
  status: number
  headers: IncomingHttpHeaders
  rawHeaders: string[]
  body: Buffer
}

/** Sends one request and reads the whole response. */
export function rawRequest(
  url: string,
  options: { method?: string; headers?: OutgoingHttpHeaders | string[]; body?: string } = {},
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: options.method ?? 'GET', headers: options.headers ?? {} })
    req.on('response', (res) => {
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.on('error', reject)
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          rawHeaders: res.rawHeaders,
          body: Buffer.concat(chunks),
        }),
      )
    })
    req.on('error', reject)
    req.end(options.body)
  })
}

/** The `name=value` part of each Set-Cookie of a response. */
export function cookiePairs(response: RawResponse): string[] {
  return (response.headers['set-cookie'] ?? []).map((line) => line.split(';')[0]!)
}
