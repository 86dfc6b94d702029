import { describe, expect, it } from 'vitest'
import { storeCapabilities } from './store-capabilities.ts'
import type { AnyStore, StoreCapabilities, StoreCapabilityOptions } from './store-capabilities.ts'
import { runCheck, storeChecks } from './store-checks.ts'
import type { StoreCheckOptions } from './store-checks.ts'
import { sessionStories } from './session-stories.ts'
import type { VersionedSessionStore } from '@fetch-session/core'

/** Options of `describeStore`: what the store declares it keeps, and how it may deviate. */
export interface DescribeStoreOptions extends StoreCapabilityOptions, StoreCheckOptions {}

const CONTRACTS: [keyof StoreCapabilities, string][] = [
  ['v1', 'version 1: get, set, delete'],
  ['versioned', 'version 2: read, write, remove'],
  ['userIndex', 'user index: listByUser'],
]

/**
 * Defines the store conformance suite with vitest: every point of the `SessionStore` (version 1)
 * and `VersionedSessionStore` (version 2) contracts, and of the user index. A contract the store
 * does not keep is reported as skipped; one it declares (`versioned`, `userIndex`) without the
 * methods fails every test of the suite. Expiry is tested with real expiries of about a second.
 * On a version 2 store, stories of sessions follow, played through `createSessions` with
 * requests in flight together: parallel `update()`s and `set()`s all land, a logout and a
 * `regenerate()` are final against requests in flight, and `endSessions()` signs out a user's
 * other browsers.
 * @param name names the store in the report
 * @param makeStore returns the store under test; called once per test, it may return the same
 *   store every time (each test uses fresh ids and user ids)
 * @param options what the store declares, default read from its methods, and its expiry grace
 */
export function describeStore(
  name: string,
  makeStore: () => AnyStore | Promise<AnyStore>,
  options: DescribeStoreOptions = {},
): void {
  const checks = storeChecks(options)

  describe(`store contract (${name})`, () => {
    it('keeps the contracts it declares', async () => {
      const has = storeCapabilities(await makeStore(), options)
      expect(has.v1 || has.versioned).toBe(true)
    })

    for (const [contract, title] of CONTRACTS) {
      describe(title, () => {
        for (const check of checks.filter((candidate) => candidate.contract === contract)) {
          it(
            check.name,
            async (context) => {
              const store = await makeStore()
              const has = storeCapabilities(store, options)
              if (!has[contract]) context.skip(`the store does not keep the ${title} contract`)
              await runCheck(check, store)
            },
            check.timeout,
          )
        }
      })
    }

    describe('sessions over the store: parallel requests, logout, users', () => {
      for (const story of sessionStories()) {
        it(
          story.name,
          async (context) => {
            const store = await makeStore()
            const has = storeCapabilities(store, options)
            // skip(note) alone: skip(condition, note) came with vitest 3.1; the peer range is >=3.
            if (!has.versioned) context.skip('the store does not keep the version 2 contract')
            if (story.users === true && !has.userIndex) context.skip('the store has no user index')
            await story.run(store as VersionedSessionStore)
          },
          15_000,
        )
      }
    })
  })
}
