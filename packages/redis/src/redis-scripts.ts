import { createHash } from 'node:crypto'

// The Lua scripts of `RedisStore`. A script runs atomically on the server: no other command
// runs between its reads and its writes, which is what makes the compare-and-set and the user
// index consistent with each other.
//
// Keys, for a prefix `P` (default `session:`):
//   P<id>            a hash: r = the record, v = its version, u = its user (absent for none);
//                    PEXPIREAT at the record's expiry
//   P user:<userId>  a sorted set of the user's session ids, each scored by its expiry in
//                    milliseconds; PEXPIREAT at its latest member's expiry
// A session id never contains ':', so no session key can be taken for a user index.
//
// The scripts name some keys that they build themselves (the previous user's index, the
// sessions listed from an index) rather than receive in KEYS. One server runs that; a Redis
// Cluster would refuse keys of other slots, which is why Cluster is not supported.

/** A script with its SHA-1 digest, the name `EVALSHA` calls it by. */
export interface RedisScript {
  /** The Lua source, sent by `SCRIPT LOAD` when the server does not know the digest. */
  readonly source: string
  /** The hex SHA-1 of the source. */
  readonly sha: string
}

// Drops the index entries that expired by `now` and sets the index's own expiry to that of its
// last member, so that an index outlives none of its sessions and no expired entry lingers.
const TRIM = `
local function trim(index, now)
  redis.call('ZREMRANGEBYSCORE', index, '-inf', now)
  local last = redis.call('ZRANGE', index, -1, -1, 'WITHSCORES')
  if last[2] then redis.call('PEXPIREAT', index, last[2]) end
end
`

/**
 * Compare-and-set. KEYS: the record, then the new user's index (only with a user). ARGV: id,
 * mode (`create` or `replace`), expected version, record, expiry, user (`''` for none), the
 * version a created record starts at, now, the user index prefix. Returns the new version, or
 * nil on a conflict.
 */
export const WRITE = script(`${TRIM}
local key = KEYS[1]
local id, mode, expected, record, expiresAt, user, start, now, users =
  ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6], ARGV[7], ARGV[8], ARGV[9]
local stored = redis.call('HMGET', key, 'v', 'u')
local current, previous = stored[1], stored[2]
if mode == 'create' then
  if current then return false end
elseif current ~= expected then
  return false
end
local version
if current then
  version = redis.call('HINCRBY', key, 'v', 1)
else
  version = tonumber(start)
  redis.call('HSET', key, 'v', start)
end
if user == '' then
  redis.call('HSET', key, 'r', record)
  redis.call('HDEL', key, 'u')
else
  redis.call('HSET', key, 'r', record, 'u', user)
end
-- An expiry already past deletes the key at once.
redis.call('PEXPIREAT', key, expiresAt)
if previous and previous ~= user then
  local index = users .. previous
  redis.call('ZREM', index, id)
  trim(index, now)
end
if user ~= '' then
  redis.call('ZADD', KEYS[2], expiresAt, id)
  trim(KEYS[2], now)
end
return version
`)

/**
 * Removal. KEYS: the record. ARGV: id, mode (`any` or `expected`), expected version, now, the
 * user index prefix. Returns 1 when a record was removed, 0 otherwise.
 */
export const REMOVE = script(`${TRIM}
local id, mode, expected, now, users = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local stored = redis.call('HMGET', KEYS[1], 'v', 'u')
if not stored[1] then return 0 end
if mode == 'expected' and stored[1] ~= expected then return 0 end
redis.call('DEL', KEYS[1])
if stored[2] then
  local index = users .. stored[2]
  redis.call('ZREM', index, id)
  trim(index, now)
end
return 1
`)

/**
 * The user's live records, read-only. KEYS: the user's index. ARGV: now, the record prefix, the
 * user. Returns id, record, version, id, record, version…
 */
export const LIST = script(`
local now, records, user = ARGV[1], ARGV[2], ARGV[3]
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. now, '+inf')
local found = {}
for _, id in ipairs(ids) do
  local stored = redis.call('HMGET', records .. id, 'r', 'v', 'u')
  if stored[1] and stored[3] == user then
    found[#found + 1] = id
    found[#found + 1] = stored[1]
    found[#found + 1] = stored[2]
  end
end
return found
`)

function script(source: string): RedisScript {
  return { source, sha: createHash('sha1').update(source).digest('hex') }
}
