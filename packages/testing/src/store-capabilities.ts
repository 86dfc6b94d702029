import { isVersionedStore } from '@fetch-session/core'
import type { SessionStore, VersionedSessionStore } from '@fetch-session/core'

/** What a store declares it keeps; each property left out is read from the store's methods. */
export interface StoreCapabilityOptions {
  /**
   * Whether the store keeps the version 2 contract (`read`, `write`, `remove`). Default: whether
   * the store has those three methods.
   */
  versioned?: boolean
  /**
   * Whether the store keeps the user index (`listByUser`). Default: whether the store has that
   * method and is versioned.
   */
  userIndex?: boolean
}

/** The contracts a store is checked against. */
export interface StoreCapabilities {
  /** The version 1 methods `get`, `set` and `delete`. */
  v1: boolean
  /** The version 2 methods `read`, `write` and `remove`. */
  versioned: boolean
  /** The user index `listByUser`, part of version 2. */
  userIndex: boolean
}

/** A store of either contract, or of both. */
export type AnyStore = SessionStore | VersionedSessionStore

/**
 * Works out which contracts to check a store against, from its methods and what it declares.
 * @param store the store under test
 * @param options what the store declares
 * @returns the contracts to check
 * @throws Error when the store declares a capability whose methods it lacks, or keeps neither
 *   contract
 */
export function storeCapabilities(
  store: AnyStore,
  options: StoreCapabilityOptions = {},
): StoreCapabilities {
  const v1 = hasMethods(store, ['get', 'set', 'delete'])
  const hasVersioned = isVersionedStore(store)
  const hasIndex = hasMethods(store, ['listByUser'])
  if (options.versioned === true && !hasVersioned) {
    throw new Error('The store declares `versioned` but lacks read(), write() or remove()')
  }
  const versioned = options.versioned ?? hasVersioned
  if (options.userIndex === true && !(versioned && hasIndex)) {
    throw new Error(
      'The store declares `userIndex` but lacks listByUser() or the versioned methods it needs',
    )
  }
  if (!v1 && !versioned) {
    throw new Error(
      'The store keeps neither contract: it needs get/set/delete (version 1) or ' +
        'read/write/remove (version 2)',
    )
  }
  return { v1, versioned, userIndex: options.userIndex ?? (versioned && hasIndex) }
}

function hasMethods(store: object, names: string[]): boolean {
  return names.every((name) => typeof (store as Record<string, unknown>)[name] === 'function')
}
