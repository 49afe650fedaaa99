--[[
  Holds a waiting conversation whose visitor has been gone too long out of routing,
  positions and the snapshot, keeping its score (its place in line).
    KEYS[1] conversation
    KEYS[2] waiting        the waiting set of its line and language
    KEYS[3] held
    KEYS[4] waitingAway
    KEYS[5] fallback       waiting conversations Dutch and English speakers may take
    ARGV[1] id
    ARGV[2] language       as read
    ARGV[3] line           as read (the first line for a record written before lines)
    ARGV[4] firstLine
  Returns {'held'} | {'skip'}
]]
--- @include "line-of"
local id = ARGV[1]
local c = redis.call('HMGET', KEYS[1], 'state', 'away', 'language', 'line')
redis.call('ZREM', KEYS[4], id)
if c[1] ~= 'waiting' or not c[2] or c[2] == '' or c[3] ~= ARGV[2] or lineOf(c[4], ARGV[4]) ~= ARGV[3] then return {'skip'} end
local s = redis.call('ZSCORE', KEYS[2], id)
if not s then return {'skip'} end
redis.call('ZREM', KEYS[2], id)
redis.call('ZREM', KEYS[5], id)
redis.call('ZADD', KEYS[3], s, id)
redis.call('HSET', KEYS[1], 'held', '1')
return {'held'}
