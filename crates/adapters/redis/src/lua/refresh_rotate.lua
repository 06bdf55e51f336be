-- RefreshTokenStore::rotate: one verdict, decided and applied atomically.
-- KEYS[1] family hash, KEYS[2] its set of used token digests (same hash tag).
-- ARGV[1] now (ms), ARGV[2] presented digest, ARGV[3] successor digest,
-- ARGV[4] sealed successor, ARGV[5] device fingerprint, ARGV[6] '1' to check the device,
-- ARGV[7] grace (ms), ARGV[8] idle TTL of the successor (ms).
-- Returns {verdict, owner, sealed}: 0 Unknown, 1 Rotated, 2 WithinGrace, 3 Reused,
-- 4 DeviceMismatch; owner and sealed are '' when the verdict carries none.
local function int(x) return string.format('%.0f', x) end

local f = redis.call('HMGET', KEYS[1], 'user', 'fp', 'cur', 'prev', 'prev_at', 'prev_seal',
  'idle_exp', 'abs_exp', 'revoked')
local user, fp, cur, prev = f[1], f[2], f[3], f[4]
if not user then
  return {0, '', ''}
end
local now = tonumber(ARGV[1])
local abs_exp = tonumber(f[8])
if now >= tonumber(f[7]) or now >= abs_exp then
  -- Expired (tombstone or not): forgotten, as the key TTL would have done.
  redis.call('DEL', KEYS[1], KEYS[2])
  return {0, '', ''}
end
local presented = ARGV[2]
local function is_used()
  return presented == prev or redis.call('SISMEMBER', KEYS[2], presented) == 1
end

if f[9] then
  -- A tombstone: used tokens are reuse, anything else is unknown; nothing changes.
  if is_used() then
    return {3, user, ''}
  end
  return {0, '', ''}
end

-- Revoking keeps the deadlines (and so the key TTLs): the tombstone ends with them.
local function revoke(verdict)
  redis.call('HSET', KEYS[1], 'revoked', '1')
  return {verdict, user, ''}
end
local differs = ARGV[6] == '1' and ARGV[5] ~= fp

if presented == cur then
  if differs then
    return revoke(4)
  end
  if prev then
    redis.call('SADD', KEYS[2], prev)
  end
  local idle_exp = now + tonumber(ARGV[8])
  redis.call('HSET', KEYS[1], 'cur', ARGV[3], 'prev', presented, 'prev_at', int(now),
    'prev_seal', ARGV[4], 'idle_exp', int(idle_exp))
  -- A TTL <= 0 deletes the keys: a zero idle TTL ends the family at once.
  local ttl = int(math.min(idle_exp, abs_exp) - now)
  redis.call('PEXPIRE', KEYS[1], ttl)
  redis.call('PEXPIRE', KEYS[2], ttl)
  return {1, user, ''}
end

if prev and presented == prev then
  if now < tonumber(f[5]) + tonumber(ARGV[7]) then
    if differs then
      return revoke(4)
    end
    return {2, user, f[6]}
  end
  return revoke(3)
end

if redis.call('SISMEMBER', KEYS[2], presented) == 1 then
  return revoke(3)
end
-- A guess, another family's token, a successor never installed: untouched.
return {0, '', ''}
