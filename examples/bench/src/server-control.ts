// The other half of the protocol that `server-process.ts` speaks: each contender server runs in a
// child process of its own, listens on 127.0.0.1 (PORT, 0 for a free port), tells the parent its
// port, and answers probes: its CPU time so far, and its memory after a full garbage collection.
import type { AddressInfo } from 'node:net'

/** The route of every contender that reads, increments and writes the session's counter. */
export const COUNTER_PATH = '/counter'
/** The route of every contender that never touches the session. */
export const UNTOUCHED_PATH = '/untouched'
/** The signing (and sealing) secret of every contender: a benchmark, not a deployment. */
export const SECRET = 'bench-secret-bench-secret-bench-secret-0123456789'
/** Two weeks, the idle timeout every contender is given. */
export const IDLE_SECONDS = 14 * 24 * 60 * 60

/** A message from a server to the bench. */
export type ServerMessage =
  | { type: 'ready'; port: number }
  | { type: 'memory'; rss: number; heapUsed: number; sessions: number | null }
  | { type: 'cpu'; micros: number }

/** A message from the bench to a server. */
export type BenchMessage = { type: 'memory' } | { type: 'cpu' }

/** What a contender tells the bench about itself. */
export interface ServerHooks {
  /** How many sessions the server holds now; `null` when it keeps none (cookie stores). */
  sessions: () => number | null | Promise<number | null>
}

/** The port to listen on, from the PORT environment variable. */
export function port(): number {
  return Number(process.env['PORT'] ?? 0)
}

/**
 * Tells the bench that the server is listening, and answers its memory probes from now on.
 * @param address the listening server's address
 * @param hooks what the contender knows about its sessions
 */
export function announce(address: AddressInfo | string | null, hooks: ServerHooks): void {
  if (address === null || typeof address === 'string') throw new Error('not a TCP server')
  send({ type: 'ready', port: address.port })
  process.on('message', async (message: BenchMessage) => {
    if (message.type === 'cpu') {
      const usage = process.cpuUsage()
      send({ type: 'cpu', micros: usage.user + usage.system })
      return
    }
    if (message.type !== 'memory') return
    const gc = (globalThis as { gc?: () => void }).gc
    // Two passes: the first may only schedule finalizers whose objects the second reclaims.
    gc?.()
    gc?.()
    const usage = process.memoryUsage()
    const sessions = await hooks.sessions()
    send({ type: 'memory', rss: usage.rss, heapUsed: usage.heapUsed, sessions })
  })
  // The bench ends the server by closing the channel (or by a signal) when it is done.
  process.on('disconnect', () => process.exit(0))
}

function send(message: ServerMessage): void {
  if (process.send === undefined) {
    console.log(JSON.stringify(message))
    return
  }
  process.send(message)
}
