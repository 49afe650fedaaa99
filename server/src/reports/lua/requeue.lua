--[[
  Moves a failed report back to 'queued' for another round of attempts. It is kept for the
  retention period from now, as is its conversation's index of reports, and indexed as
  queued since now (the sweep looks for its job).
    KEYS[1] report
    KEYS[2] queued      sorted set of queued report ids
    KEYS[3] conversation  the conversation's index of its reports
    ARGV[1] now         ms
    ARGV[2] retention   ms (REPORT_RETENTION_DAYS)
    ARGV[3] reportId
  Returns the new retry count, or -1 when it was not failed
]]
if redis.call('HGET', KEYS[1], 'status') ~= 'failed' then return -1 end
redis.call('HSET', KEYS[1], 'status', 'queued')
redis.call('PEXPIRE', KEYS[1], ARGV[2])
redis.call('PEXPIRE', KEYS[3], ARGV[2])
redis.call('ZADD', KEYS[2], ARGV[1], ARGV[3])
return redis.call('HINCRBY', KEYS[1], 'retries', 1)
