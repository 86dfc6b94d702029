// The part of autocannon's API that the load client uses (the package ships no types).
declare module 'autocannon' {
  /** One connection of the load generator. */
  export interface Client {
    on(
      event: 'headers',
      listener: (response: { statusCode: number; headers: string[] }) => void,
    ): this
    on(event: 'body', listener: (chunk: Buffer) => void): this
    on(event: 'response', listener: (statusCode: number) => void): this
    setHeaders(headers: Record<string, string>): void
  }

  export interface Request {
    method?: string
    path?: string
    headers?: Record<string, string>
    onResponse?: (status: number, body: string, context: Record<string, unknown>) => void
  }

  export interface Options {
    url: string
    connections?: number
    pipelining?: number
    duration?: number
    amount?: number
    timeout?: number
    sampleInt?: number
    requests?: Request[]
    setupClient?: (client: Client) => void
  }

  export interface Histogram {
    average: number
    p50: number
    p99: number
    max: number
  }

  export interface Result {
    requests: Histogram & { total: number }
    latency: Histogram
    duration: number
    errors: number
    timeouts: number
    non2xx: number
    start: Date
    finish: Date
  }

  export interface Instance {
    stop(): void
  }

  function autocannon(
    options: Options,
    callback: (error: Error | null, result: Result) => void,
  ): Instance

  export default autocannon
}
