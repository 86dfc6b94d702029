import { execFile } from 'node:child_process'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import { DeadlinePassed, SharedDeadlines } from './shared-deadlines.ts'

const never = () => new Promise<never>(() => {})

describe('SharedDeadlines', () => {
  it('settles as the work settles', async () => {
    const deadlines = new SharedDeadlines(1000, 10)
    await expect(deadlines.run(async () => 'done')).resolves.toBe('done')
    await expect(deadlines.run(async () => Promise.reject(new Error('own')))).rejects.toThrow('own')
    const thrown = () => {
      throw new Error('thrown')
    }
    await expect(deadlines.run(thrown)).rejects.toThrow('thrown')
  })

  it('fails work that outlives its timeout, no earlier, and aborts its signal then', async () => {
    const deadlines = new SharedDeadlines(100, 10)
    let signal: AbortSignal | undefined
    const started = performance.now()
    const error = await deadlines
      .run((given) => {
        signal = given
        return never()
      })
      .catch((error: unknown) => error)
    const elapsed = performance.now() - started
    expect(error).toBeInstanceOf(DeadlinePassed)
    expect(signal?.aborted).toBe(true)
    // Timers may fire a millisecond early by performance.now()'s clock.
    expect(elapsed).toBeGreaterThanOrEqual(99)
  })

  it('gives work started within one window one signal, and later work another', async () => {
    const deadlines = new SharedDeadlines(1000, 20)
    const signals: AbortSignal[] = []
    const work = async (signal: AbortSignal) => {
      signals.push(signal)
    }
    await Promise.all([deadlines.run(work), deadlines.run(work)])
    await sleep(30)
    await deadlines.run(work)
    expect(signals[0]).toBe(signals[1])
    expect(signals[2]).not.toBe(signals[0])
    expect(signals.some((signal) => signal.aborted)).toBe(false)
  })

  it('fails only the work still running at the deadline', async () => {
    const deadlines = new SharedDeadlines(50, 10)
    const quick = deadlines.run(async () => 'quick')
    const slow = deadlines.run(never).catch((error: unknown) => error)
    await expect(quick).resolves.toBe('quick')
    expect(await slow).toBeInstanceOf(DeadlinePassed)
  })

  it('keeps no process alive once its work has settled', async () => {
    // A minute-long deadline that the test would not outlive if its timer held the process.
    const module = fileURLToPath(new URL('./shared-deadlines.ts', import.meta.url))
    const code =
      `const { SharedDeadlines } = await import(${JSON.stringify(module)})\n` +
      `await new SharedDeadlines(60_000, 10).run(async () => 'done')\n` +
      `console.log('settled')`
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '--eval', code],
      { cwd: fileURLToPath(new URL('..', import.meta.url)) },
    )
    expect(stdout.trim()).toBe('settled')
  }, 20_000)
})
