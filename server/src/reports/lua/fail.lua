--[[
  Moves a queued report to 'failed', once. It is kept, retryable, for the retention period
  from now, and so is its conversation's index of reports; it leaves the index of queued
  reports.
    KEYS[1] report
    KEYS[2] queued      sorted set of queued report ids
    KEYS[3] conversation  the conversation's index of its reports
    ARGV[1] error       a short reason, never content
    ARGV[2] retention   ms (REPORT_RETENTION_DAYS)
    ARGV[3] reportId
  Returns 1 when it moved, 0 when it was not queued
]]
if redis.call('HGET', KEYS[1], 'status') ~= 'queued' then return 0 end
redis.call('HSET', KEYS[1], 'status', 'failed', 'lastError', ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
redis.call('PEXPIRE', KEYS[3], ARGV[2])
redis.call('ZREM', KEYS[2], ARGV[3])
return 1
