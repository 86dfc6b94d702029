// The faster crypto implementation that @fetch-session/node offers for Node (`nodeCrypto`), when
// the installed version has it; the bench then measures fetch-session with and without it.
import type { SessionCrypto } from '@fetch-session/core'
import * as node from '@fetch-session/node'

/** `nodeCrypto` from @fetch-session/node, or `null` when that version does not export it. */
export const nodeCrypto: SessionCrypto | null =
  ((node as Record<string, unknown>)['nodeCrypto'] as SessionCrypto | undefined) ?? null
