--[[
  Moves one conversation from release 1's single waiting set into its language's set,
  keeping its score.
    KEYS[1] legacyWaiting
    KEYS[2] conversation
    KEYS[3] waiting        the waiting set of its language
    ARGV[1] id
    ARGV[2] language       as read
  Returns 1 when moved, 0 when dropped (it no longer waits)
]]
local s = redis.call('ZSCORE', KEYS[1], ARGV[1])
redis.call('ZREM', KEYS[1], ARGV[1])
local c = redis.call('HMGET', KEYS[2], 'state', 'language')
if not s or c[1] ~= 'waiting' or c[2] ~= ARGV[2] then return 0 end
redis.call('ZADD', KEYS[3], s, ARGV[1])
return 1
