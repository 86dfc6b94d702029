// Real servers for the tests: listening on 127.0.0.1 on a free port, closed with their
// keep-alive connections.
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'

/** Starts a server on a random port of 127.0.0.1 and returns its base URL. */
export async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  return baseUrl(server)
}

/** The base URL of a listening server, such as `http://127.0.0.1:40123`. */
export function baseUrl(server: Server): string {
  const { address, port } = server.address() as AddressInfo
  return `http://${address}:${port}`
}

/** Stops a server, dropping idle keep-alive connections. */
export function close(server: Server): Promise<void> {
  server.closeAllConnections()
  return new Promise((resolve, reject) =>
    server.close((error) => (error ? reject(error) : resolve())),
  )
}
