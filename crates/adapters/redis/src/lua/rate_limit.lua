-- RateLimiter::check: a fixed window that starts at the key's first counted request.
-- KEYS[1] the window hash.
-- ARGV[1] now (ms), ARGV[2] limit, ARGV[3] window (ms), ARGV[4] largest lease.
-- Grants a lease of several requests when much of the budget is left: one sixteenth of
-- what remains, at most ARGV[4], at least 1 (so the last 31 are granted one by one and
-- the count stays exact); the caller spends the extra ones locally.
-- Returns {granted (0 when refused), remaining after the grant, reset_after (ms)}.
local function int(x) return string.format('%.0f', x) end

local now, limit, window = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local max_lease = tonumber(ARGV[4])
local w = redis.call('HMGET', KEYS[1], 'end', 'n')
local ends, n = tonumber(w[1]), tonumber(w[2])
if not ends or now >= ends then
  if limit <= 0 then
    -- A zero budget refuses everything and starts no window.
    return {0, 0, window}
  end
  ends, n = now + window, 0
end
if n >= limit then
  -- Refused requests are not counted: they neither extend nor eat a window.
  return {0, 0, ends - now}
end
local grant = math.max(1, math.min(max_lease, math.floor((limit - n) / 16)))
n = n + grant
redis.call('HSET', KEYS[1], 'end', int(ends), 'n', int(n))
redis.call('PEXPIRE', KEYS[1], int(ends - now))
return {grant, limit - n, ends - now}
