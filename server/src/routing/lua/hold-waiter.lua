--[[
  Holds a waiting conversation whose visitor has been gone too long out of routing,
  positions and the snapshot, keeping its score (its place in line).
    KEYS[1] conversation
    KEYS[2] waiting        the waiting set of its language
    KEYS[3] held
    KEYS[4] waitingAway
    KEYS[5] fallback       waiting conversations Dutch and English speakers may take
    ARGV[1] id
    ARGV[2] language       as read
  Returns {'held'} | {'skip'}
]]
local id = ARGV[1]
local c = redis.call('HMGET', KEYS[1], 'state', 'away', 'language')
redis.call('ZREM', KEYS[4], id)
if c[1] ~= 'waiting' or not c[2] or c[2] == '' or c[3] ~= ARGV[2] then return {'skip'} end
local s = redis.call('ZSCORE', KEYS[2], id)
if not s then return {'skip'} end
redis.call('ZREM', KEYS[2], id)
redis.call('ZREM', KEYS[5], id)
redis.call('ZADD', KEYS[3], s, id)
redis.call('HSET', KEYS[1], 'held', '1')
return {'held'}
