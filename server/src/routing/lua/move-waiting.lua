--[[
  Moves one conversation from an older release's waiting set (release 1's single set,
  release 2's per-language sets, release 2's one fallback set) into the set of its line
  and language (or its line's fallback), keeping its score.
    KEYS[1] legacyWaiting  the old set
    KEYS[2] conversation
    KEYS[3] waiting        the waiting set of its line and language
    ARGV[1] id
    ARGV[2] language       as read
    ARGV[3] line           as read (the first line for a record written before lines)
    ARGV[4] firstLine
  Returns 1 when moved, 0 when dropped (it no longer waits)
]]
--- @include "line-of"
local s = redis.call('ZSCORE', KEYS[1], ARGV[1])
redis.call('ZREM', KEYS[1], ARGV[1])
local c = redis.call('HMGET', KEYS[2], 'state', 'language', 'line')
if not s or c[1] ~= 'waiting' or c[2] ~= ARGV[2] or lineOf(c[3], ARGV[4]) ~= ARGV[3] then return 0 end
redis.call('ZADD', KEYS[3], s, ARGV[1])
return 1
