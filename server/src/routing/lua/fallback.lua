--[[
  Nobody on shift speaks the language of a conversation that has waited
  LANGUAGE_FALLBACK_S: it becomes routable to Dutch and English speakers too, ranked after
  the conversations in their own languages of the same priority. It keeps its place in its
  own language's line, so a speaker who signs in still gets it first.
    KEYS[1] conversation
    KEYS[2] waiting        the waiting set of its line and language
    KEYS[3] fallback
    ARGV[1] id
    ARGV[2] language       as read
    ARGV[3] fallbackShift  added to its score on the fallback
    ARGV[4] line           as read (the first line for a record written before lines)
    ARGV[5] firstLine
  Returns 1 when it went on the fallback, 0 when it no longer waits in that line (or is on it already)
]]
--- @include "line-of"
local c = redis.call('HMGET', KEYS[1], 'state', 'language', 'languageFallback', 'line')
if c[1] ~= 'waiting' or c[2] ~= ARGV[2] or lineOf(c[4], ARGV[5]) ~= ARGV[4] or c[3] == '1' then return 0 end
local s = redis.call('ZSCORE', KEYS[2], ARGV[1])
if not s then return 0 end
redis.call('HSET', KEYS[1], 'languageFallback', '1')
redis.call('ZADD', KEYS[3], tonumber(s) + tonumber(ARGV[3]), ARGV[1])
return 1
