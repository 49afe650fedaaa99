--[[
  Gives a waiting conversation to an operator with free capacity: a routing pass (which
  also requires the operator to be available), the operator's own accept, or a
  supervisor's assignment. The caller
  read the conversation's line and language to name KEYS[2] and KEYS[11]; a conversation
  that moved meanwhile answers 'retry'. A conversation an operator took themselves (an
  accept) is marked with them (movedBy, until it moves again), so that the same
  accept asked again shortly after (its answer was lost, or a step after it failed: the
  console retries) is known, within retryWindowMs of the move (assignedAt), for what the
  first left undone to be done. Routing and a supervisor's assignment clear the mark: the
  operator did not ask, so nothing of theirs is ever taken for a retry.
    KEYS[1] conversation
    KEYS[2] waiting                 the waiting set of its line and language
    KEYS[3] held
    KEYS[4] waitingAway
    KEYS[5] operatorConversations
    KEYS[6] active
    KEYS[7] routeOperator           what routing knows of the operator
    KEYS[8] stats
    KEYS[9] statsDay
    KEYS[10] statsDayWaits
    KEYS[11] fallback               its line's waiting conversations Dutch and English speakers may take
    ARGV[1] id
    ARGV[2] operatorId
    ARGV[3] operatorName
    ARGV[4] capacity
    ARGV[5] now
    ARGV[6] language               as read
    ARGV[7] requireAvailable       1 for a routing pass, 0 for an accept
    ARGV[8] ewmaAlpha
    ARGV[9] statsTtlMs
    ARGV[10] line                  as read (the first line for a record written before lines)
    ARGV[11] servedLine            the operator's line that takes it through overflow; '' when their own
    ARGV[12] firstLine
    ARGV[13] movedBy               the operator taking it themselves (an accept); '' for routing and a supervisor's assignment
    ARGV[14] retryWindowMs         how long after the move the same accept asked again is a retry
  Returns {'ok', waitingSince, load} | {'held', waitingSince, assignedAt} | {'not_found'} | {'conflict'}
    | {'full'} | {'unavailable'} | {'retry'};
  'held': movedBy accepted it themselves within retryWindowMs and holds it still, assignedAt
  naming that move; nothing is written. Past the window it is a 'conflict', as any accept of
  a conversation that is not waiting
]]
--- @include "record-wait"
--- @include "line-of"
local id = ARGV[1]
local c = redis.call('HMGET', KEYS[1], 'state', 'language', 'waitingSince', 'line', 'operatorId', 'movedBy', 'assignedAt')
if not c[1] then return {'not_found'} end
if c[1] == 'active' and ARGV[13] ~= '' and c[5] == ARGV[13] and c[6] == ARGV[13]
  and tonumber(ARGV[5]) - (tonumber(c[7]) or 0) <= tonumber(ARGV[14]) then
  return {'held', c[3], c[7]}
end
if c[1] ~= 'waiting' then return {'conflict'} end
if c[2] ~= ARGV[6] or lineOf(c[4], ARGV[12]) ~= ARGV[10] then return {'retry'} end
if ARGV[7] == '1' and redis.call('HGET', KEYS[7], 'status') ~= 'available' then return {'unavailable'} end
local load = redis.call('SCARD', KEYS[5])
if load >= tonumber(ARGV[4]) then return {'full'} end
redis.call('ZREM', KEYS[2], id)
redis.call('ZREM', KEYS[3], id)
redis.call('ZREM', KEYS[4], id)
redis.call('ZREM', KEYS[11], id)
redis.call('HSET', KEYS[1], 'state', 'active', 'operatorId', ARGV[2], 'operatorName', ARGV[3],
  'assignedAt', ARGV[5], 'waitingMsgs', '0', 'held', '')
if ARGV[11] ~= '' then redis.call('HSET', KEYS[1], 'servedLine', ARGV[11]) else redis.call('HDEL', KEYS[1], 'servedLine') end
redis.call('HDEL', KEYS[1], 'movedAt', 'moveNote', 'moveTo')
if ARGV[13] ~= '' then redis.call('HSET', KEYS[1], 'movedBy', ARGV[13]) else redis.call('HDEL', KEYS[1], 'movedBy') end
redis.call('SADD', KEYS[5], id)
redis.call('SADD', KEYS[6], id)
recordWait(KEYS[8], KEYS[9], KEYS[10], ARGV[5], c[3], tonumber(ARGV[8]), ARGV[9])
return {'ok', c[3], tostring(load + 1)}
