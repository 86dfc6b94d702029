-- A wrk script in which each thread drives one connection and plays one browser: it sends the
-- cookie it was given (argument 4 + thread number) and keeps whatever cookie the server sets, as
-- a cookie jar does. Arguments: path, "keep" (resend cookies) or "none" (never send one), the most
-- responses a thread waits for (0: until the duration ends), then one cookie pair per thread.
-- The summary is printed as one line of JSON.

local threads = {}
local count = 0

function setup(thread)
  thread:set('number', count)
  count = count + 1
  table.insert(threads, thread)
end

local path, keep, limit
local jar = {}
-- Globals, so that done() can read them with thread:get().
responses, bad, first, last = 0, 0, -1, -1

local function jar_header()
  local pairs_ = {}
  for name, value in pairs(jar) do
    table.insert(pairs_, name .. '=' .. value)
  end
  return table.concat(pairs_, '; ')
end

local cookie = ''

function init(args)
  path = args[1]
  keep = args[2] == 'keep'
  limit = tonumber(args[3])
  local given = args[4 + number]
  if keep and given ~= nil and given ~= '' then
    local name, value = string.match(given, '^([^=]+)=(.*)$')
    jar[name] = value
    cookie = jar_header()
  end
end

function request()
  if cookie ~= '' then
    return wrk.format('GET', path, { Cookie = cookie })
  end
  return wrk.format('GET', path)
end

local function remember(header)
  local name, value = string.match(header, '^%s*([^=;]+)=([^;]*)')
  if name == nil then return end
  if value == '' then jar[name] = nil else jar[name] = value end
  cookie = jar_header()
end

function response(status, headers, body)
  responses = responses + 1
  if status ~= 200 then bad = bad + 1 end
  local n = tonumber(body)
  if n ~= nil then
    if first < 0 then first = n end
    last = n
  end
  if keep then
    local header = headers['set-cookie'] or headers['Set-Cookie']
    if header ~= nil then remember(header) end
  end
  if limit > 0 and responses >= limit then
    wrk.thread:stop()
  end
end

function done(summary, latency, requests)
  local seen = {}
  for _, thread in ipairs(threads) do
    table.insert(seen, string.format('{"responses":%d,"bad":%d,"first":%d,"last":%d}',
      thread:get('responses'), thread:get('bad'), thread:get('first'), thread:get('last')))
  end
  local errors = summary.errors
  io.write(string.format(
    '{"requests":%d,"durationUs":%d,"errors":%d,"p50Us":%d,"p99Us":%d,"threads":[%s]}\n',
    summary.requests, summary.duration,
    errors.connect + errors.read + errors.write + errors.status + errors.timeout,
    latency:percentile(50), latency:percentile(99), table.concat(seen, ',')))
end
