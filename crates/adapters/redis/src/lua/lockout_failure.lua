-- LockoutStore::record_failure.
-- KEYS[1] the identifier's hash: n (failures in the window), win (window end),
-- lock (lock end).
-- ARGV[1] now (ms), ARGV[2] threshold, ARGV[3] window (ms), ARGV[4] lock duration (ms).
-- Returns the lock end (ms) when locked, nil otherwise.
local function int(x) return string.format('%.0f', x) end

local now = tonumber(ARGV[1])
local e = redis.call('HMGET', KEYS[1], 'n', 'win', 'lock')
local n, win, lock = tonumber(e[1]), tonumber(e[2]), tonumber(e[3])
if lock and now < lock then
  -- Locked: not counted, and the lock is never extended.
  return lock
end
if not win or now >= win then
  n, win = 0, now + tonumber(ARGV[3])
end
n = n + 1
local locked = false
if n >= tonumber(ARGV[2]) then
  n, lock = 0, now + tonumber(ARGV[4])
  locked = lock
  redis.call('HSET', KEYS[1], 'n', 0, 'win', int(win), 'lock', int(lock))
else
  redis.call('HSET', KEYS[1], 'n', int(n), 'win', int(win))
  redis.call('HDEL', KEYS[1], 'lock')
  lock = nil
end
-- The entry lives until both its window and its lock are over.
redis.call('PEXPIRE', KEYS[1], int(math.max(win, lock or 0) - now))
return locked
