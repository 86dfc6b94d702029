import { describe, expect, it } from 'vitest'
import { deviceLabel } from '../src/device-label.ts'

describe('deviceLabel', () => {
  it('names the browser and the system of common User-Agent headers', () => {
    const cases: Array<[string, string]> = [
      [
        'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) ' +
          'HeadlessChrome/140.0.0.0 Safari/537.36',
        'Chrome on Linux',
      ],
      [
        'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) ' +
          'Chrome/140.0.0.0 Safari/537.36 Edg/140.0.0.0',
        'Edge on Windows',
      ],
      [
        'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like ' +
          'Gecko) Version/18.6 Safari/605.1.15',
        'Safari on macOS',
      ],
      [
        'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) ' +
          'Chrome/140.0.0.0 Mobile Safari/537.36',
        'Chrome on Android',
      ],
      [
        'Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:143.0) Gecko/20100101 Firefox/143.0',
        'Firefox on Linux',
      ],
      ['curl/8.5.0', 'curl'],
      ['Mozilla/5.0 (X11; Linux x86_64)', 'A browser on Linux'],
    ]
    for (const [header, label] of cases) expect(deviceLabel(header)).toBe(label)
  })

  it('answers "Unknown device" for a missing or unrecognised header', () => {
    expect(deviceLabel(null)).toBe('Unknown device')
    expect(deviceLabel(undefined)).toBe('Unknown device')
    expect(deviceLabel('<script>alert(1)</script>')).toBe('Unknown device')
  })

  it('reads only the start of a very long header', () => {
    expect(deviceLabel(`${'x'.repeat(600)} Firefox/143.0 (Windows)`)).toBe('Unknown device')
    expect(deviceLabel(`Firefox/143.0 (Windows) ${'x'.repeat(100_000)}`)).toBe('Firefox on Windows')
  })
})
