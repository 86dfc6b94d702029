import { createCipheriv, createDecipheriv, createHmac, timingSafeEqual } from 'node:crypto'
import * as core from './index.ts'
import { webCrypto } from './session-crypto.ts'
import type { SessionCrypto } from './session-crypto.ts'
import { behaviourSuite, createBehaviourApp, cryptoConformance } from '@fetch-session/test-support'

cryptoConformance('webCrypto', webCrypto)

// A second implementation proves the seam: the core must work the same with any conforming one.
const nodeLike: SessionCrypto = {
  sign: (secret, data) => createHmac('sha256', secret).update(data).digest(),
  verify: (secret, data, mac) => {
    const expected = createHmac('sha256', secret).update(data).digest()
    return mac.length === expected.length && timingSafeEqual(mac, expected)
  },
  encrypt: (key, iv, plaintext, aad) => {
    const cipher = createCipheriv('aes-256-gcm', key, iv).setAAD(aad)
    return Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()])
  },
  decrypt: (key, iv, sealed, aad) => {
    if (sealed.length < 16) return null
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, iv).setAAD(aad)
      decipher.setAuthTag(sealed.subarray(sealed.length - 16))
      return Buffer.concat([
        decipher.update(sealed.subarray(0, sealed.length - 16)),
        decipher.final(),
      ])
    } catch {
      return null
    }
  },
}
cryptoConformance('node:crypto, in a test', nodeLike)

const withProvider = {
  ...core,
  createSessions: ((options: core.SessionsOptions) =>
    core.createSessions({ ...options, crypto: nodeLike })) as typeof core.createSessions,
}
for (const kind of ['memory', 'cookie'] as const) {
  const app = createBehaviourApp(withProvider, kind)
  behaviourSuite(`in-process, ${kind} store, node:crypto provider`, () => ({
    fetch: (path, init) => app(new Request(new URL(path, 'http://localhost'), init)),
    stateless: kind === 'cookie',
  }))
}
