// CPU time per call of several calls measured in process, one batch of each in turn, so that a
// busier moment of the machine is shared out among them (src/checkouts.ts, src/breakdown.ts).

/**
 * The CPU time per call of each call, in batches taken in turn after a first unmeasured batch.
 * @param calls the calls to compare
 * @param batch calls per batch
 * @param passes measured batches of each call
 * @returns for each call, its batches in µs per call, sorted from the lowest
 */
async function interleavedCpu(
  calls: (() => Promise<unknown>)[],
  batch: number,
  passes: number,
): Promise<number[][]> {
  const cpuPerCall = async (call: () => Promise<unknown>) => {
    const start = process.cpuUsage()
    for (let i = 0; i < batch; i++) await call()
    const used = process.cpuUsage(start)
    return (used.user + used.system) / batch
  }
  const batches = calls.map((): number[] => [])
  for (const call of calls) await cpuPerCall(call)
  for (let pass = 0; pass < passes; pass++) {
    for (const [i, call] of calls.entries()) batches[i]!.push(await cpuPerCall(call))
  }
  return batches.map((measured) => measured.sort((a, b) => a - b))
}

/**
 * Measures calls with `interleavedCpu` and gives the markdown table of it: each call's median
 * batch, its lowest and its highest, in µs of CPU per call.
 * @param heading what the first column names
 * @param rows the calls, each with its row's name
 * @param batch calls per batch
 * @param passes measured batches of each call
 */
export async function interleavedCpuTable(
  heading: string,
  rows: { name: string; call: () => Promise<unknown> }[],
  batch: number,
  passes: number,
): Promise<string> {
  const measured = await interleavedCpu(
    rows.map((row) => row.call),
    batch,
    passes,
  )
  const lines = [
    `| ${heading} | CPU µs per request (median of batches) | lowest | highest |`,
    '| --- | --- | --- | --- |',
  ]
  for (const [i, { name }] of rows.entries()) {
    const sorted = measured[i]!
    const median = sorted[sorted.length >> 1]!
    lines.push(
      `| ${name} | ${median.toFixed(1)} | ${sorted[0]!.toFixed(1)} | ${sorted.at(-1)!.toFixed(1)} |`,
    )
  }
  return lines.join('\n')
}
