--[[
  Sets one field of a hash only while it still holds what the caller read: a compare and
  set, for a TOTP secret sealed again under the current data key (never over a secret
  replaced or turned off meanwhile).

    KEYS[1] hash
    ARGV[1] field
    ARGV[2] expected   the value read before
    ARGV[3] value      the new value

  Returns 1 when the field was set, 0 when it no longer held `expected`.
]]
if redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[2] then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
return 1
