-- RefreshTokenStore::issue: starts (or restarts) one family.
-- KEYS[1] family hash, KEYS[2] its set of used token digests (same hash tag).
-- ARGV[1] now (ms), ARGV[2] owner (16 bytes), ARGV[3] device fingerprint (32 bytes),
-- ARGV[4] digest of the first token (32 bytes), ARGV[5] idle TTL (ms),
-- ARGV[6] absolute expiry (ms since the epoch).
local function int(x) return string.format('%.0f', x) end

local now = tonumber(ARGV[1])
local idle_exp = now + tonumber(ARGV[5])
local abs_exp = tonumber(ARGV[6])
redis.call('DEL', KEYS[1], KEYS[2])
local ttl = math.min(idle_exp, abs_exp) - now
if ttl <= 0 then
  return 0
end
redis.call('HSET', KEYS[1], 'user', ARGV[2], 'fp', ARGV[3], 'cur', ARGV[4],
  'idle_exp', int(idle_exp), 'abs_exp', int(abs_exp))
-- Relative expiry from the caller's clock: the deadlines above decide, the key TTL
-- only collects garbage.
redis.call('PEXPIRE', KEYS[1], int(ttl))
return 1
