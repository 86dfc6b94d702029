import { setMaxListeners } from 'node:events'

/** The longest delay a timer takes: 2^31 - 1 milliseconds. */
export const MAX_TIMER = 2_147_483_647

/** The rejection of an operation whose deadline passed. */
export class DeadlinePassed extends Error {
  constructor() {
    super('the deadline passed')
    this.name = 'DeadlinePassed'
  }
}

// The operations started within one window share its deadline, its timer and its AbortSignal.
interface Window {
  readonly closesAt: number
  readonly controller: AbortController
  readonly pending: Set<(error: DeadlinePassed) => void>
  readonly timer: ReturnType<typeof setTimeout>
}

/**
 * Deadlines for operations, shared by those that start within the same few milliseconds: an
 * `AbortController` and a timer of their own cost a Redis call more than the store's own work
 * does (7% of a server's CPU time per request in the bench), and one per window of starts costs
 * next to nothing. An operation fails between `timeout` and `timeout + width` after it started,
 * and its signal aborts at that moment, not before.
 */
export class SharedDeadlines {
  readonly #timeout: number
  readonly #width: number
  #current: Window | undefined

  /**
   * @param timeout the least time an operation is given, in milliseconds (the timer waits at
   *   most 2^31 - 1)
   * @param width how long a window takes starts, in milliseconds: the most an operation may run
   *   past its `timeout`
   */
  constructor(timeout: number, width: number) {
    this.#timeout = timeout
    this.#width = width
  }

  /**
   * Runs `work` until it settles or the deadline passes, whichever comes first.
   * @param work the operation, given the signal that aborts at its deadline
   * @returns what `work` settles with; or rejects with `DeadlinePassed` at the deadline
   */
  run<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const now = performance.now()
    let window = this.#current
    if (window === undefined || now >= window.closesAt) window = this.#current = this.#open(now)
    // The timer keeps the process alive only while an operation waits on it.
    else if (window.pending.size === 0) window.timer.ref()
    const { pending, timer } = window
    return new Promise<T>((resolve, reject) => {
      pending.add(reject)
      const settled = () => {
        pending.delete(reject)
        if (pending.size === 0) timer.unref()
      }
      let running: Promise<T>
      try {
        running = work(window.controller.signal)
      } catch (error) {
        running = Promise.reject(error)
      }
      running.then(
        (value) => {
          settled()
          resolve(value)
        },
        (error: unknown) => {
          settled()
          reject(error)
        },
      )
    })
  }

  #open(now: number): Window {
    const controller = new AbortController()
    // One listener per command the client still holds: more than Node's default of ten.
    setMaxListeners(0, controller.signal)
    const pending = new Set<(error: DeadlinePassed) => void>()
    const window: Window = {
      closesAt: now + this.#width,
      controller,
      pending,
      timer: setTimeout(
        () => {
          if (this.#current === window) this.#current = undefined
          const error = new DeadlinePassed()
          for (const reject of pending) reject(error)
          pending.clear()
          // In the same turn as the rejections: node-redis withdraws the commands it has not sent
          // yet, so that none runs after its request was answered.
          controller.abort()
        },
        Math.min(this.#timeout + this.#width, MAX_TIMER),
      ),
    }
    return window
  }
}
