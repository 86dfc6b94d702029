import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import { Miniflare } from 'miniflare'
import { afterAll, beforeAll } from 'vitest'
import { behaviourSuite } from '@fetch-session/test-support'

// The core's stories through Hono inside workerd: the behaviour app is bundled from source into
// a module worker and run by miniflare, one runtime per store.
let script = ''
beforeAll(async () => {
  const bundle = await build({
    entryPoints: [fileURLToPath(new URL('./test-support/worker.ts', import.meta.url))],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    conditions: ['source', 'workerd', 'worker'],
    write: false,
    logLevel: 'silent',
  })
  script = bundle.outputFiles[0]!.text
}, 30_000)

for (const kind of ['memory', 'cookie'] as const) {
  let mf: Miniflare
  beforeAll(async () => {
    mf = new Miniflare({
      modules: true,
      script,
      compatibilityDate: '2026-03-01',
      bindings: { STORE_KIND: kind },
    })
    await mf.ready
  }, 30_000)
  afterAll(() => mf.dispose())
  behaviourSuite(`Hono in workerd, ${kind} store`, () => ({
    fetch: async (path, init) => {
      // Miniflare's Response is undici's; rebuilding it gives the suite the runtime's own class.
      const response = await mf.dispatchFetch(`http://localhost${path}`, init as never)
      return new Response(await response.arrayBuffer(), response as never)
    },
    stateless: kind === 'cookie',
  }))
}
