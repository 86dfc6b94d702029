import type { SessionWrite, StoredSession } from '@fetch-session/core'

/**
 * A Durable Object id, as far as `DurableObjectStore` uses one: it turns it into its 64-digit
 * hexadecimal string to tell a session's object where the user index of that session lives.
 * @see https://developers.cloudflare.com/durable-objects/api/id/
 */
export interface DurableObjectIdLike {
  /** @returns the id as a 64-digit hexadecimal string */
  toString(): string
}

/**
 * The few methods of a Durable Object namespace binding that `DurableObjectStore` calls. A
 * binding from `env` typed `DurableObjectNamespace<SessionDurableObject>` by
 * `@cloudflare/workers-types` fits it as is; declaring only these keeps the Workers types out of
 * this package's runtime.
 * @see https://developers.cloudflare.com/durable-objects/api/namespace/
 */
export interface DurableObjectNamespaceLike {
  /**
   * Derives the id of the object of a name; the same name always gives the same object.
   * @param name the object's name
   * @returns its id
   */
  idFromName(name: string): DurableObjectIdLike
  /**
   * Makes a stub, through which the object's methods are called over Workers RPC.
   * @param id an id from `idFromName`
   * @returns the stub
   */
  get(id: DurableObjectIdLike): SessionObjectStub
}

/**
 * The Workers RPC methods of a `SessionDurableObject` that `DurableObjectStore` calls on a stub.
 * They are the protocol between the store and its objects, which ship in the same Worker and
 * change together: call the store, not these.
 * @see https://developers.cloudflare.com/durable-objects/best-practices/create-durable-object-stubs-and-send-requests/
 */
export interface SessionObjectStub {
  /** Reads the session the object holds. */
  read(id: string): Promise<StoredSession | null>
  /** Writes the session with compare-and-set, keeping the user index up to date first. */
  write(
    id: string,
    write: SessionWrite,
    expected: string | number | null,
    indexObject: string | null,
  ): Promise<string | null>
  /** Removes the session and its entry in the user index. */
  remove(id: string, expected: string | number | undefined): Promise<boolean>
  /** Reads the session if it is live and bound to the user, else drops it from the index. */
  readForUser(id: string, userId: string, indexObject: string): Promise<StoredSession | null>
  /** Lists the ids of a user's index object whose entries have not expired. */
  listIndex(): Promise<string[]>
}
