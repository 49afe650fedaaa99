--[[
  Appends one audit entry unless the gate is closed: the first call of a window writes the
  entry and closes the gate for that window; every other call in it writes nothing. With a
  budget key, an entry that would be written is first counted (a fixed window from the
  first count); once `budgetMax` were written in it, the call writes nothing and closes no
  gate, and the caller refuses what the entry was for. One script, so that parallel calls
  write one entry, a gate is never closed without its entry, and no entry goes past the
  budget.
    KEYS[1] gate           closed while it exists
    KEYS[2] audit
    KEYS[3..] budget       none, or the count of entries written in the budget window
    ARGV[1] windowMs
    ARGV[2] auditMax
    ARGV[3] budgetMax      entries a budget window holds (with a budget key)
    ARGV[4] budgetWindowMs
    ARGV[5..] fields       the entry's field-value pairs
  Returns {1} when the entry was written, {0} when the gate was closed, {-1, ms} when the
  budget is spent, `ms` being the time until it renews
]]
if redis.call('EXISTS', KEYS[1]) == 1 then return {0} end
if KEYS[3] then
  local used = tonumber(redis.call('GET', KEYS[3]) or '0')
  if used >= tonumber(ARGV[3]) then
    local ttl = redis.call('PTTL', KEYS[3])
    if ttl < 0 then ttl = tonumber(ARGV[4]) end
    return {-1, ttl}
  end
  if redis.call('INCR', KEYS[3]) == 1 then redis.call('PEXPIRE', KEYS[3], ARGV[4]) end
end
redis.call('SET', KEYS[1], '1', 'PX', ARGV[1])
redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[2], '*', unpack(ARGV, 5))
return {1}
