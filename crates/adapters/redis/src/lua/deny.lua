-- SessionDenyList::deny: keeps the later of the stored and the new deadline.
-- KEYS[1] the session's deny key (its value is the deadline, ms since the epoch).
-- ARGV[1] now (ms), ARGV[2] ttl (ms), ARGV[3] the events channel, ARGV[4] the session id.
-- Publishes `d <session> <deadline> <ttl>` there when the deadline changed, in the same
-- step, so every replica learns it (replica.rs).
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
redis.call('PUBLISH', ARGV[3],
  string.format('d %s %.0f %.0f', ARGV[4], deadline, ttl))
return 1
