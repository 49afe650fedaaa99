--[[
  Moves a failed report back to 'queued' for another round of attempts.
    KEYS[1] report
  Returns the new retry count, or -1 when it was not failed
]]
if redis.call('HGET', KEYS[1], 'status') ~= 'failed' then return -1 end
redis.call('HSET', KEYS[1], 'status', 'queued')
return redis.call('HINCRBY', KEYS[1], 'retries', 1)
