// Which store a host process serves the behaviour app with, named on its command line.
import type { StoreKind } from './behaviour-app.ts'

/** Every store kind a runtime is tested with. */
export const STORE_KINDS: readonly StoreKind[] = ['memory', 'cookie']

/**
 * Reads a store kind from a host's command line.
 * @param value the last command-line argument
 * @returns the kind, or throws naming the valid ones
 */
export function storeKind(value: string | undefined): StoreKind {
  const kind = STORE_KINDS.find((candidate) => candidate === value)
  if (kind === undefined) {
    throw new Error(`expected a store kind (${STORE_KINDS.join(', ')}) as the last argument`)
  }
  return kind
}
