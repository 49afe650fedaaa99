--[[
  The visitor of a held (or away) waiting conversation is back: it returns to its place.
  A waiting conversation whose language changed since the caller read it stays held,
  score and all, and the answer is 'retry': it is never taken out of every line.
    KEYS[1] conversation
    KEYS[2] waiting        the waiting set of its line and language
    KEYS[3] held
    KEYS[4] waitingAway
    KEYS[5] fallback       waiting conversations Dutch and English speakers may take
    ARGV[1] id
    ARGV[2] language       as read
    ARGV[3] fallbackShift  added to the score on the fallback (after own-language peers)
    ARGV[4] line           as read (the first line for a record written before lines)
    ARGV[5] firstLine
  Returns {'back'} | {'not_held'} | {'retry'}
]]
--- @include "line-of"
local id = ARGV[1]
redis.call('ZREM', KEYS[4], id)
local s = redis.call('ZSCORE', KEYS[3], id)
if not s then return {'not_held'} end
local c = redis.call('HMGET', KEYS[1], 'state', 'language', 'languageFallback', 'line')
if c[1] == 'waiting' and (c[2] ~= ARGV[2] or lineOf(c[4], ARGV[5]) ~= ARGV[4]) then return {'retry'} end
redis.call('ZREM', KEYS[3], id)
redis.call('HSET', KEYS[1], 'held', '')
if c[1] == 'waiting' then
  redis.call('ZADD', KEYS[2], s, id)
  if c[3] == '1' then redis.call('ZADD', KEYS[5], tonumber(s) + tonumber(ARGV[3]), id) end
end
return {'back'}
