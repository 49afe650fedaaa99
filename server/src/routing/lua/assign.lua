--[[
  Gives a waiting conversation to an operator with free capacity: a routing pass (which
  also requires the operator to be available) or the operator's own accept. The caller
  read the conversation's language to name KEYS[2]; a conversation that moved meanwhile
  answers 'retry'.
    KEYS[1] conversation
    KEYS[2] waiting                 the waiting set of its language
    KEYS[3] held
    KEYS[4] waitingAway
    KEYS[5] operatorConversations
    KEYS[6] active
    KEYS[7] routeOperator           what routing knows of the operator
    KEYS[8] stats
    KEYS[9] statsDay
    KEYS[10] statsDayWaits
    KEYS[11] fallback               waiting conversations Dutch and English speakers may take
    ARGV[1] id
    ARGV[2] operatorId
    ARGV[3] operatorName
    ARGV[4] capacity
    ARGV[5] now
    ARGV[6] language               as read
    ARGV[7] requireAvailable       1 for a routing pass, 0 for an accept
    ARGV[8] ewmaAlpha
    ARGV[9] statsTtlMs
  Returns {'ok', waitingSince, load} | {'not_found'} | {'conflict'} | {'full'} | {'unavailable'} | {'retry'}
]]
--- @include "record-wait"
local id = ARGV[1]
local c = redis.call('HMGET', KEYS[1], 'state', 'language', 'waitingSince')
if not c[1] then return {'not_found'} end
if c[1] ~= 'waiting' then return {'conflict'} end
if c[2] ~= ARGV[6] then return {'retry'} end
if ARGV[7] == '1' and redis.call('HGET', KEYS[7], 'status') ~= 'available' then return {'unavailable'} end
local load = redis.call('SCARD', KEYS[5])
if load >= tonumber(ARGV[4]) then return {'full'} end
redis.call('ZREM', KEYS[2], id)
redis.call('ZREM', KEYS[3], id)
redis.call('ZREM', KEYS[4], id)
redis.call('ZREM', KEYS[11], id)
redis.call('HSET', KEYS[1], 'state', 'active', 'operatorId', ARGV[2], 'operatorName', ARGV[3],
  'assignedAt', ARGV[5], 'waitingMsgs', '0', 'held', '')
redis.call('SADD', KEYS[5], id)
redis.call('SADD', KEYS[6], id)
recordWait(KEYS[8], KEYS[9], KEYS[10], ARGV[5], c[3], tonumber(ARGV[8]), ARGV[9])
return {'ok', c[3], tostring(load + 1)}
