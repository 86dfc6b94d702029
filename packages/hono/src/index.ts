export { session } from './session-middleware.ts'
export type { SessionEnv, SessionVariables } from './session-env.ts'
