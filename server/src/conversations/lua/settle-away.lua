--[[
  The sweep's look at an entry of awayUntil that fell due: is the conversation still away
  past its return window? An entry whose conversation ended, was purged or whose visitor
  is back is removed; one whose visitor came back and left again is moved to its new
  window's end. Nothing else is touched: the caller ends a 'due' one by the usual path.
    KEYS[1] conversation
    KEYS[2] awayUntil
    ARGV[1] id
    ARGV[2] now
  Returns {'due'} | {'later', returnUntil} | {'gone'}
]]
local c = redis.call('HMGET', KEYS[1], 'state', 'away', 'returnUntil')
local untilMs = tonumber(c[3] or '')
if not c[1] or c[1] == 'ended' or not c[2] or c[2] == '' or not untilMs then
  redis.call('ZREM', KEYS[2], ARGV[1])
  return {'gone'}
end
if untilMs > tonumber(ARGV[2]) then
  redis.call('ZADD', KEYS[2], untilMs, ARGV[1])
  return {'later', tostring(untilMs)}
end
return {'due'}
