import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll } from 'vitest'
import type { SessionStore, VersionedSessionStore } from '@fetch-session/core'
import { describeStore } from '@fetch-session/testing'
import type { AnyStore } from '@fetch-session/testing'
import { FileStore } from './file-store.ts'

// The shared store conformance suite (version 1, version 2 and the user index) on FileStore.
let root: string
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'fetch-session-file-conformance-'))
})
afterAll(() => rm(root, { recursive: true, force: true }))

let count = 0
const fresh = () => join(root, `store-${++count}`)

describeStore('FileStore', () => new FileStore({ directory: fresh() }), {
  versioned: true,
  userIndex: true,
})
// Two stores on one directory, as two processes have, taking turns call by call: they share
// nothing but the files (and write without fsync, the other option).
function twoStores(): AnyStore {
  const directory = fresh()
  const stores = [0, 1].map(() => new FileStore({ directory, fsync: false }))
  let turn = 0
  const next = () => stores[turn++ % 2]!
  return {
    get: (id) => next().get(id),
    set: (id, record, expiresAt) => next().set(id, record, expiresAt),
    delete: (id) => next().delete(id),
    read: (id) => next().read(id),
    write: (id, write, expected) => next().write(id, write, expected),
    remove: (id, expected) => next().remove(id, expected),
    listByUser: (userId) => next().listByUser(userId),
  } satisfies SessionStore & VersionedSessionStore
}
describeStore('two FileStores sharing a directory', twoStores, { versioned: true, userIndex: true })
