--[[
  Moves a queued report to 'failed', once.
    KEYS[1] report
    ARGV[1] error       a short reason, never content
  Returns 1 when it moved, 0 when it was not queued
]]
if redis.call('HGET', KEYS[1], 'status') ~= 'queued' then return 0 end
redis.call('HSET', KEYS[1], 'status', 'failed', 'lastError', ARGV[1])
return 1
