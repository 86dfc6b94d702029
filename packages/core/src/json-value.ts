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
  check(value, `key ${JSON.stringify(key)}`, [])
}

function check(value: unknown, path: string, parents: object[]): void {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return
    case 'number':
      if (Number.isFinite(value)) return
      throw new SessionDataError(`Session value at ${path} is ${value}, which JSON turns into null`)
    case 'object': {
      if (value === null) return
      if (parents.includes(value))
        throw new SessionDataError(`Session value at ${path} is circular`)
      parents.push(value)
      if (Array.isArray(value)) {
        for (const item of value) check(item, nested(path), parents)
      } else {
        const proto = Object.getPrototypeOf(value)
        if (proto !== Object.prototype && proto !== null) {
          const kind = (value as { constructor?: { name?: string } }).constructor?.name ?? 'object'
          throw new SessionDataError(
            `Session value at ${path} is a ${kind}, which JSON does not keep; store plain data`,
          )
        }
        for (const key of Object.keys(value)) {
          check((value as Record<string, unknown>)[key], nested(path), parents)
        }
      }
      parents.pop()
      return
    }
    default:
      throw new SessionDataError(
        `Session value at ${path} is ${typeof value}, which JSON does not keep`,
      )
  }
}

function nested(path: string): string {
  return path.endsWith(' (nested)') ? path : `${path} (nested)`
}
