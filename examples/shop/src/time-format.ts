/**
 * A time as the shop's pages show it: to the minute, in UTC, so that every reader sees the same.
 * @param date the time
 * @returns such as "2026-05-01 14:03 UTC"
 */
export function formatDate(date: Date): string {
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`
}

const relative = new Intl.RelativeTimeFormat('en', { numeric: 'auto' })

/**
 * A time relative to now, in the largest unit that fits.
 * @param date the time
 * @param now the present, in milliseconds since the epoch. Default: `Date.now()`
 * @returns such as "in 14 days", "3 hours ago", "now"
 */
export function fromNow(date: Date, now = Date.now()): string {
  const seconds = Math.round((date.getTime() - now) / 1000)
  const units: Array<[Intl.RelativeTimeFormatUnit, number]> = [
    ['day', 86400],
    ['hour', 3600],
    ['minute', 60],
  ]
  for (const [unit, size] of units) {
    if (Math.abs(seconds) >= size) return relative.format(Math.round(seconds / size), unit)
  }
  return relative.format(seconds, 'second')
}
