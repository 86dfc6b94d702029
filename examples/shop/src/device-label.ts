/** The most of a `User-Agent` header that `deviceLabel` reads; real ones are far shorter. */
const MAX_USER_AGENT = 512

// First match wins, so the browsers whose headers also name Chrome or Safari come first.
const BROWSERS: ReadonlyArray<[RegExp, string]> = [
  [/\bEdg(?:e|A|iOS)?\//, 'Edge'],
  [/\bOPR\/|\bOpera\b/, 'Opera'],
  [/\bSamsungBrowser\//, 'Samsung Internet'],
  [/\bFirefox\/|\bFxiOS\//, 'Firefox'],
  [/Chrome\/|\bChromium\/|\bCriOS\//, 'Chrome'],
  [/\bVersion\/[\d.]+.*\bSafari\//, 'Safari'],
  [/^curl\//, 'curl'],
]

// Android and iOS headers also name Linux and Mac OS X, so they come first.
const SYSTEMS: ReadonlyArray<[RegExp, string]> = [
  [/\bWindows\b/, 'Windows'],
  [/\bAndroid\b/, 'Android'],
  [/\biPhone\b|\biPad\b|\biPod\b/, 'iOS'],
  [/\bCrOS\b/, 'ChromeOS'],
  [/\bMac OS X\b|\bMacintosh\b/, 'macOS'],
  [/\bLinux\b/, 'Linux'],
]

/**
 * A short name for the browser that sent a request, such as "Chrome on Linux", for the "Your
 * devices" page. The label is made of fixed words only, never of the header's text, so what is
 * stored and shown is never the client's input; an unknown header gives "Unknown device".
 * @param userAgent the request's `User-Agent` header, or `null`/`undefined` when absent
 */
export function deviceLabel(userAgent: string | null | undefined): string {
  const header = (userAgent ?? '').slice(0, MAX_USER_AGENT)
  const browser = BROWSERS.find(([pattern]) => pattern.test(header))?.[1]
  const system = SYSTEMS.find(([pattern]) => pattern.test(header))?.[1]
  if (browser !== undefined && system !== undefined) return `${browser} on ${system}`
  if (browser !== undefined) return browser
  if (system !== undefined) return `A browser on ${system}`
  return 'Unknown device'
}
