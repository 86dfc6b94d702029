// HMAC-SHA256 (RFC 2104) on the core's SHA-256, synchronous: on Node, Web Crypto's `sign` hands
// each call to a worker thread and back, which made the signature of a new session id cost
// about 59 µs, against under 3 µs here (the bench's micro suite). Signing only: signatures are
// still checked by the provider's constant-time `verify`.
// https://www.rfc-editor.org/rfc/rfc2104
import { digestFrom, sha256, stateAfter } from './sha256.ts'

const BLOCK = 64
// Few secrets are ever used (those of the process's Sessions objects); the bound only stops a
// caller that signs with ever-new secrets from growing the cache without end.
const MAX_CACHED_KEYS = 64

const encoder = new TextEncoder()

interface Pads {
  inner: Uint32Array
  outer: Uint32Array
}

// Per secret, the hash states after the key's block combined with the inner and the outer pad:
// each tag then costs the compression of the message and of the inner digest only.
const pads = new Map<string, Pads>()

function padsOf(secret: string): Pads {
  let found = pads.get(secret)
  if (found === undefined) {
    let key: Uint8Array = encoder.encode(secret)
    if (key.length > BLOCK) key = sha256(key)
    const inner = new Uint8Array(BLOCK).fill(0x36)
    const outer = new Uint8Array(BLOCK).fill(0x5c)
    for (let i = 0; i < key.length; i++) {
      inner[i]! ^= key[i]!
      outer[i]! ^= key[i]!
    }
    if (pads.size >= MAX_CACHED_KEYS) pads.delete(pads.keys().next().value!)
    found = { inner: stateAfter(inner), outer: stateAfter(outer) }
    pads.set(secret, found)
  }
  return found
}

/**
 * The HMAC-SHA256 of a text under a secret, both taken as UTF-8, as Web Crypto's `sign` gives it.
 * @param secret the key
 * @param data the message
 * @returns the 32-byte tag
 */
export function hmacSha256(secret: string, data: string): Uint8Array<ArrayBuffer> {
  const { inner, outer } = padsOf(secret)
  const digest = digestFrom(inner.slice(), encoder.encode(data), BLOCK)
  return digestFrom(outer.slice(), digest, BLOCK)
}
