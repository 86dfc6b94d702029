import { createHash } from 'node:crypto'

// A session file is one header line, then the core's record exactly as given:
//
//   1767225600000 be1117435488b2e0 bYlKo-6AJUnX80Dnwc8NHByxTNhPdo2S_6pnhTN8SZc
//   {"d":{"cart":["apple"]},...}
//
// The expiry in milliseconds since the epoch, the version (16 hex digits, new on every write),
// and the user key (see `userKey`; this one is user `user-42`'s) or `-` for a session bound to
// no user. A file written before versions existed holds the expiry alone on its first line: it
// reads as version `0`, bound to no user.
const HEADER = /^(\d{1,16})(?: ([0-9a-f]{16}) ([A-Za-z0-9_-]{43}|-))?\n/

/** The longest header line, in bytes: enough to read for the header alone. */
export const HEADER_MAX = 16 + 1 + 16 + 1 + 43 + 1

/** What the header line of a session file says. */
export interface SessionFileHeader {
  /** When the record expires, in milliseconds since the epoch. */
  expiresAt: number
  /** The record's version. */
  version: string
  /** The key of the user the session is bound to, or `null`. */
  user: string | null
}

/**
 * Formats a header line.
 * @param header the expiry, version and user key
 * @returns the line, newline included
 */
export function formatHeader(header: SessionFileHeader): string {
  return `${Math.ceil(header.expiresAt)} ${header.version} ${header.user ?? '-'}\n`
}

/**
 * Reads the header line at the start of a file's text.
 * @param text the file's text, or its first `HEADER_MAX` bytes
 * @returns the header and the line's length, or `null` for a file this store did not write
 */
export function parseHeader(text: string): { header: SessionFileHeader; length: number } | null {
  const match = HEADER.exec(text)
  if (match === null) return null
  const user = match[3] ?? '-'
  return {
    header: {
      expiresAt: Number(match[1]),
      version: match[2] ?? '0',
      user: user === '-' ? null : user,
    },
    length: match[0].length,
  }
}

/**
 * The name a user id takes on disk: its SHA-256, base64url, so that no user id, whatever its
 * characters, is ever part of a path, and none can be read back from a directory listing.
 * @param userId the user id
 * @returns 43 characters of `A-Z a-z 0-9 _ -`
 */
export function userKey(userId: string): string {
  return createHash('sha256').update(userId, 'utf8').digest('base64url')
}
