--[[
  Creates an account: the username claim and the account appear together or not at all.
    KEYS[1] byUsername     lower-cased username → operator id
    KEYS[2] account        the new account's hash
    ARGV[1] username       lower-cased
    ARGV[2] id
    ARGV[3..] fields       field, value pairs of the account
  Returns 1 when created, 0 when the username is taken
]]
if redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[2]) == 0 then return 0 end
redis.call('HSET', KEYS[2], unpack(ARGV, 3))
return 1
