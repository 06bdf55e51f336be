-- RefreshTokenStore::revoke_family / revoke_user: turns a family into a tombstone.
-- KEYS[1] family hash.
-- ARGV[1] (optional) owner (16 bytes): only a family of this owner is revoked.
-- Returns 1 when the family exists (now revoked), 0 when it is missing or not the
-- owner's. Deadlines and key TTLs are kept: the tombstone ends when the family would
-- have expired.
local user = redis.call('HGET', KEYS[1], 'user')
if not user or (ARGV[1] and ARGV[1] ~= user) then
  return 0
end
redis.call('HSET', KEYS[1], 'revoked', '1')
return 1
