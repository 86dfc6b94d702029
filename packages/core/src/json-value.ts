import { SessionDataError } from './errors.ts'

/**
 * Throws unless `value` comes back equal from `JSON.parse(JSON.stringify(value))`: plain
 * objects, arrays, strings, finite numbers, booleans and `null`, with no cycles. A `Date`, `Map`,
 * class instance, `undefined`, function, symbol, bigint, `NaN` or `Infinity` would be silently
 * changed or dropped by JSON, so it is refused here, where the caller can see the line.
 * @param value the candidate value
 * @param key the session key it is set under; messages name it, never nested keys or values,
 *   which may be user data
 */
export function assertJsonValue(value: unknown, key: string): void {
  // Most values are a string, a number or a boolean: checked without building anything.
  const type = typeof value
  if (type === 'string' || type === 'boolean') return
  if (type === 'number' && Number.isFinite(value)) return
  check(value, key, false, [])
}

function check(value: unknown, key: string, nested: boolean, parents: object[]): void {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return
    case 'number':
      if (Number.isFinite(value)) return
      throw new SessionDataError(`${at(key, nested)} is ${value}, which JSON turns into null`)
    case 'object': {
      if (value === null) return
      if (parents.includes(value)) throw new SessionDataError(`${at(key, nested)} is circular`)
      parents.push(value)
      if (Array.isArray(value)) {
        for (const item of value) check(item, key, true, parents)
      } else {
        const proto = Object.getPrototypeOf(value)
        if (proto !== Object.prototype && proto !== null) {
          const kind = (value as { constructor?: { name?: string } }).constructor?.name ?? 'object'
          throw new SessionDataError(
            `${at(key, nested)} is a ${kind}, which JSON does not keep; store plain data`,
          )
        }
        // JSON.stringify drops properties under symbols without a word.
        if (Object.getOwnPropertySymbols(value).length > 0) {
          throw new SessionDataError(
            `${at(key, nested)} has a property under a symbol, which JSON does not keep`,
          )
        }
        for (const name of Object.keys(value)) {
          check((value as Record<string, unknown>)[name], key, true, parents)
        }
      }
      parents.pop()
      return
    }
    default:
      throw new SessionDataError(`${at(key, nested)} is ${typeof value}, which JSON does not keep`)
  }
}

// Where the bad value is, for a message: the session key, never nested keys or values, which
// may be user data.
function at(key: string, nested: boolean): string {
  return `Session value at key ${JSON.stringify(key)}${nested ? ' (nested)' : ''}`
}
