--[[
  Stores a new, queued report: its hash, and its place in the queued, per-conversation and
  global indexes. With a claim (a submission's Idempotency-Key), the claim is taken in the
  same step, and nothing is stored when an earlier submission holds it: so the key never
  names a report that was not stored. (Taken in a step of its own before, a failure or
  crash in between left every retry answered "queued" for a report that did not exist.)
    KEYS[1] report
    KEYS[2] queued        sorted set of queued report ids
    KEYS[3] conversation  sorted set of the conversation's report ids
    KEYS[4] all           sorted set of every report id
    KEYS[5..] claim       none, or the submission's idempotency key
    ARGV[1] reportId
    ARGV[2] createdAt     ms
    ARGV[3] retention     ms (REPORT_RETENTION_DAYS)
    ARGV[4] indexTtl      ms
    ARGV[5] forgetBefore  ms: ids older than this leave the global index
    ARGV[6] claimValue    "<conversationId> <reportId>"
    ARGV[7] claimTtl      ms
    ARGV[8..] fields      field, value pairs of the report hash
  Returns false when stored, or the claim's value when an earlier submission holds it
]]
if KEYS[5] then
  local earlier = redis.call('GET', KEYS[5])
  if earlier then return earlier end
  redis.call('SET', KEYS[5], ARGV[6], 'PX', ARGV[7])
end
redis.call('HSET', KEYS[1], unpack(ARGV, 8))
redis.call('PEXPIRE', KEYS[1], ARGV[3])
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[1])
redis.call('ZADD', KEYS[3], ARGV[2], ARGV[1])
redis.call('PEXPIRE', KEYS[3], ARGV[4])
redis.call('ZADD', KEYS[4], ARGV[2], ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[4], '-inf', ARGV[5])
return false
