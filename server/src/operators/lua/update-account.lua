--[[
  Updates an existing account only, so a typo'd id never creates a stray hash.
    KEYS[1] account
    ARGV[1..] fields       field, value pairs
  Returns 1 when updated, 0 for an unknown account
]]
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], unpack(ARGV))
return 1
