// SHA-256 (FIPS 180-4) in plain JavaScript, for the digests the core needs synchronously:
// `session.handle` is a property, Web Crypto's digest is asynchronous, and signing a new id
// (hmac-sha256.ts) is faster without Web Crypto's trip to another thread.
// https://nvlpubs.nist.gov/nistpubs/FIPS/NIST.FIPS.180-4.pdf

const K = Uint32Array.from([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
])

const INITIAL = Uint32Array.from([
  0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
])

// The message schedule, reused by every block: the core runs one digest at a time.
const w = new Uint32Array(64)

/**
 * The SHA-256 digest of some bytes.
 * @param message the bytes to hash
 * @returns the 32-byte digest
 */
export function sha256(message: Uint8Array): Uint8Array<ArrayBuffer> {
  return digestFrom(INITIAL.slice(), message, 0)
}

/**
 * The state after hashing one 64-byte block, from which `digestFrom` goes on: HMAC hashes each
 * key's padded block once.
 * @param block 64 bytes
 * @returns the state
 */
export function stateAfter(block: Uint8Array): Uint32Array {
  const state = INITIAL.slice()
  compress(state, block, 0, 64)
  return state
}

/**
 * Finishes a digest whose first bytes were hashed into `state` already.
 * @param state the state so far; it is changed
 * @param message the rest of the message
 * @param hashed how many bytes `state` has hashed, a multiple of 64
 * @returns the 32-byte digest
 */
export function digestFrom(
  state: Uint32Array,
  message: Uint8Array,
  hashed: number,
): Uint8Array<ArrayBuffer> {
  // The message, a 1 bit, zeros, and the whole length in bits as a 64-bit big-endian number,
  // filling whole 64-byte blocks.
  const blocks = Math.ceil((message.length + 9) / 64)
  const padded = new Uint8Array(blocks * 64)
  padded.set(message)
  padded[message.length] = 0x80
  const bits = (hashed + message.length) * 8
  const end = padded.length
  const high = Math.floor(bits / 0x100000000)
  padded[end - 8] = high >>> 24
  padded[end - 7] = high >>> 16
  padded[end - 6] = high >>> 8
  padded[end - 5] = high
  padded[end - 4] = bits >>> 24
  padded[end - 3] = bits >>> 16
  padded[end - 2] = bits >>> 8
  padded[end - 1] = bits
  compress(state, padded, 0, end)
  const digest = new Uint8Array(32)
  for (let i = 0; i < 8; i++) {
    const word = state[i]!
    digest[i * 4] = word >>> 24
    digest[i * 4 + 1] = word >>> 16
    digest[i * 4 + 2] = word >>> 8
    digest[i * 4 + 3] = word
  }
  return digest
}

// The compression function over the 64-byte blocks of bytes[from, to).
function compress(h: Uint32Array, bytes: Uint8Array, from: number, to: number): void {
  for (let p = from; p < to; p += 64) {
    for (let t = 0; t < 16; t++) {
      const i = p + t * 4
      w[t] = (bytes[i]! << 24) | (bytes[i + 1]! << 16) | (bytes[i + 2]! << 8) | bytes[i + 3]!
    }
    for (let t = 16; t < 64; t++) {
      const x = w[t - 15]!
      const y = w[t - 2]!
      const s0 = rotr(x, 7) ^ rotr(x, 18) ^ (x >>> 3)
      const s1 = rotr(y, 17) ^ rotr(y, 19) ^ (y >>> 10)
      w[t] = (w[t - 16]! + s0 + w[t - 7]! + s1) | 0
    }
    let a = h[0]!
    let b = h[1]!
    let c = h[2]!
    let d = h[3]!
    let e = h[4]!
    let f = h[5]!
    let g = h[6]!
    let hh = h[7]!
    for (let t = 0; t < 64; t++) {
      const t1 =
        (hh + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + K[t]! + w[t]!) | 0
      const t2 = ((rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c))) | 0
      hh = g
      g = f
      f = e
      e = (d + t1) | 0
      d = c
      c = b
      b = a
      a = (t1 + t2) | 0
    }
    h[0] = h[0]! + a
    h[1] = h[1]! + b
    h[2] = h[2]! + c
    h[3] = h[3]! + d
    h[4] = h[4]! + e
    h[5] = h[5]! + f
    h[6] = h[6]! + g
    h[7] = h[7]! + hh
  }
}

function rotr(x: number, n: number): number {
  return (x >>> n) | (x << (32 - n))
}
