--[[
  Counts a supervisor reading along (delta 1) or one stopping (delta -1), never below zero,
  only while the conversation's hash exists. A read-along can end after its conversation
  ended and was purged (the supervisor's console closes later): HINCRBY on the missing hash
  would bring it back as {watchers = 0}, without a TTL, for ever. HINCRBY and HSET keep
  the TTL an ended conversation's hash has.
    KEYS[1] conversation
    ARGV[1] delta          1 or -1
  Returns the new count, or -1 when the conversation is gone
]]
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
local n = redis.call('HINCRBY', KEYS[1], 'watchers', tonumber(ARGV[1]))
if n < 0 then
  redis.call('HSET', KEYS[1], 'watchers', '0')
  n = 0
end
return n
