// Base64url without padding (RFC 4648 section 5): the alphabet is cookie-octet safe, so ids,
// signatures and sealed values never need percent-encoding.
// https://www.rfc-editor.org/rfc/rfc4648#section-5

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
const CODES = Uint8Array.from(ALPHABET, (c) => c.charCodeAt(0))
const CHUNK = 4096
const LOOKUP = new Int16Array(128).fill(-1)
for (let i = 0; i < ALPHABET.length; i++) LOOKUP[ALPHABET.charCodeAt(i)] = i

/**
 * Encodes bytes as unpadded base64url.
 * @param bytes the bytes to encode
 * @returns the base64url text
 */
export function encodeBase64url(bytes: Uint8Array): string {
  // Character codes first, one string at the end: appending character by character would build
  // a rope of small pieces, which V8 must flatten (a copy) the first time the id is hashed, and
  // which a store keeping the string would keep whole.
  const n = bytes.length
  const codes: number[] = new Array(Math.ceil((n * 4) / 3))
  let o = 0
  let i = 0
  for (; i + 2 < n; i += 3) {
    const v = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!
    codes[o++] = CODES[v >> 18]!
    codes[o++] = CODES[(v >> 12) & 63]!
    codes[o++] = CODES[(v >> 6) & 63]!
    codes[o++] = CODES[v & 63]!
  }
  if (i < n) {
    const v = (bytes[i]! << 16) | ((bytes[i + 1] ?? 0) << 8)
    codes[o++] = CODES[v >> 18]!
    codes[o++] = CODES[(v >> 12) & 63]!
    if (i + 1 < n) codes[o++] = CODES[(v >> 6) & 63]!
  }
  // fromCharCode takes one argument per character: chunks keep long inputs within the limits
  // engines put on the number of arguments.
  if (o <= CHUNK) return String.fromCharCode(...codes)
  const parts: string[] = []
  for (let k = 0; k < o; k += CHUNK) parts.push(String.fromCharCode(...codes.slice(k, k + CHUNK)))
  return parts.join('')
}

/**
 * Decodes unpadded base64url.
 * @param text the base64url text
 * @returns the bytes, or `null` when the text is not canonical unpadded base64url
 */
export function decodeBase64url(text: string): Uint8Array<ArrayBuffer> | null {
  const rest = text.length % 4
  if (rest === 1) return null
  const out = new Uint8Array(((text.length * 3) >> 2) | 0)
  let o = 0
  let acc = 0
  let bits = 0
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    const v = c < 128 ? LOOKUP[c]! : -1
    if (v < 0) return null
    acc = (acc << 6) | v
    bits += 6
    if (bits >= 8) {
      bits -= 8
      out[o++] = (acc >> bits) & 255
    }
  }
  // Leftover bits must be zero, or two different texts would decode to the same bytes.
  if ((acc & ((1 << bits) - 1)) !== 0) return null
  return out
}
