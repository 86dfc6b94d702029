export { describeStore } from './describe-store.ts'
export type { DescribeStoreOptions } from './describe-store.ts'
export type { AnyStore } from './store-capabilities.ts'
