export { DurableObjectStore } from './durable-object-store.ts'
export { SessionDurableObject } from './session-durable-object.ts'
export type {
  DurableObjectIdLike,
  DurableObjectNamespaceLike,
  SessionObjectStub,
} from './durable-object-namespace.ts'
