// What the packages of the workspace share for their tests: the behaviour app and its stories,
// a browser's cookie jar, a counting store and the crypto conformance suite. Host processes
// import `@fetch-session/test-support/app`, test files starting them
// `@fetch-session/test-support/hosts`, global setups `@fetch-session/test-support/build-dist`.
export * from './app.ts'
export { behaviourSuite } from './behaviour-suite.ts'
export type { BehaviourHost } from './behaviour-suite.ts'
export { CookieJar } from './cookie-jar.ts'
export { CountingStore } from './counting-store.ts'
export { GatedStore } from './gated-store.ts'
export { cryptoConformance } from './crypto-conformance.ts'
