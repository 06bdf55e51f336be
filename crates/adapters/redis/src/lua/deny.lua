-- SessionDenyList::deny: keeps the later of the stored and the new deadline.
-- KEYS[1] the session's deny key (its value is the deadline, ms since the epoch).
-- ARGV[1] now (ms), ARGV[2] ttl (ms).
-- Returns 1 when the deadline was set or moved later, 0 otherwise.
local now, ttl = tonumber(ARGV[1]), tonumber(ARGV[2])
if ttl <= 0 then
  return 0
end
local deadline = now + ttl
local stored = tonumber(redis.call('GET', KEYS[1]))
if stored and stored >= deadline then
  return 0
end
redis.call('SET', KEYS[1], string.format('%.0f', deadline), 'PX', string.format('%.0f', ttl))
return 1
