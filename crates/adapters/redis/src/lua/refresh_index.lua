-- Adds a session to its owner's index, which lives as long as the longest family in it.
-- KEYS[1] user index set.
-- ARGV[1] session id (16 bytes), ARGV[2] now (ms), ARGV[3] absolute expiry (ms).
local ttl = tonumber(ARGV[3]) - tonumber(ARGV[2])
if ttl <= 0 then
  return 0
end
redis.call('SADD', KEYS[1], ARGV[1])
-- PTTL is -1 for a set just created: any positive TTL is longer.
if redis.call('PTTL', KEYS[1]) < ttl then
  redis.call('PEXPIRE', KEYS[1], string.format('%.0f', ttl))
end
return 1
