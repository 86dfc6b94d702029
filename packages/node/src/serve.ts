import { createServer } from 'node:http'
import type { Server } from 'node:http'
import { createListener } from './request-listener.ts'
import type { FetchHandler, ListenerOptions } from './request-listener.ts'

/** Options of `serve`. */
export interface ServeOptions extends ListenerOptions {
  /** The port to listen on; `0` picks a free one (read it from `server.address()`). Default: 3000. */
  port?: number
  /**
   * The address to listen on, such as `"127.0.0.1"` to accept local connections only. Default:
   * every interface, as `server.listen()` does.
   */
  hostname?: string
}

/**
 * Serves a fetch handler on a new `node:http` server (see `createListener`).
 * @param handler the fetch handler, for example `sessions.wrap(app)`
 * @param options see `ServeOptions`
 * @returns the server, once it is listening; stop it with `server.close()`
 * @throws the listen error, such as `EADDRINUSE`, as a rejection
 */
export function serve(handler: FetchHandler, options: ServeOptions = {}): Promise<Server> {
  const server = createServer(createListener(handler, options))
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 3000, options.hostname, () => {
      server.off('error', reject)
      resolve(server)
    })
  })
}
