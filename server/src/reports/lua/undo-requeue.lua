--[[
  Undoes requeue.lua when the retry's delivery job could not be queued: the report is
  'failed' again, with its retry count back, so a later retry reuses the same job id (a job
  that was queued after all, its answer lost, is then not queued twice). Only while the
  report is still queued in that round.
    KEYS[1] report
    KEYS[2] queued      sorted set of queued report ids
    ARGV[1] round       the retry count requeue.lua answered
    ARGV[2] reportId
  Returns 1 when it moved back, 0 otherwise
]]
local c = redis.call('HMGET', KEYS[1], 'status', 'retries')
if c[1] ~= 'queued' or c[2] ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'status', 'failed', 'retries', tonumber(ARGV[1]) - 1)
redis.call('ZREM', KEYS[2], ARGV[2])
return 1
