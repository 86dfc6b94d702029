// The behaviour app alone, for the host processes that serve it on each runtime (Bun, Deno,
// workerd, Node): nothing here needs Node or vitest.
export {
  createBehaviourApp,
  SECRET_A,
  SECRET_B,
  SHORT_ABSOLUTE,
  SHORT_IDLE,
} from './behaviour-app.ts'
export type { StoreKind } from './behaviour-app.ts'
export { STORE_KINDS, storeKind } from './store-kind.ts'
