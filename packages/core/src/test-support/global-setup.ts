// Builds the package's published output (dist/) once before the core project's tests. Only the
// runtime tests (runtimes-*.test.ts) read it, importing the package as its users do; the other
// tests use the sources.
export { provideCoreBuild as default } from '@fetch-session/test-support/build-dist'
