--[[
  Ends a conversation and starts the retention clock on every key it owns. The address
  hash leaves the conversation: it is kept apart for addressTtlMs, so that the
  conversation can still be blocked, then expires. The caller read the fields that name
  KEYS[5], KEYS[9] to KEYS[13]; if they changed meanwhile the answer is 'retry'.
  What the caller does after it (the notices, the ended list, the purge job, the audit
  entry, the figures, the end listeners) is marked pending in the hash (`endPending`), with
  what it needs (`endedFrom`, `endedBy`): a caller cut off before it is done (a failover) is
  answered 'already' on its retry, with them, and finishes it. One never retried is indexed
  (endsPending) for the sweep to finish.
  A conversation that ends in an operator's hands with breakUntil set (a high risk level or
  acute danger, BREAK_AFTER_HIGH_RISK_MIN) puts that operator on a break here, in the same
  step that frees their place: a routing pass that runs before the steps after this script
  cannot give the place to the next visitor. The break's end is kept (`endBreakUntil`) for
  those steps, on a retry too.
    KEYS[1] conversation
    KEYS[2] messages
    KEYS[3] clientMessageIds
    KEYS[4] notes
    KEYS[5] waiting          the waiting set of its line and language
    KEYS[6] held
    KEYS[7] waitingAway
    KEYS[8] active
    KEYS[9] operatorConversations   of the operator who holds it (any key when none)
    KEYS[10] open            the address's open conversations (any key when none)
    KEYS[11] endedAddress
    KEYS[12] resumeToken     the key of its current resume token (any key when none)
    KEYS[13] returnCode      the key of its current return code (any key when none)
    KEYS[14] fallback        its line's waiting conversations Dutch and English speakers may take
    KEYS[15] endsPending     ends whose steps after this script are not done yet, by when
    KEYS[16] routeOperator   what routing knows of the operator who holds it (any key when none)
    KEYS[17] routeAvailable  operators routing may give conversations to
    KEYS[18] openNetwork     the network's open conversations (any key when none)
    ARGV[1] id
    ARGV[2] reason
    ARGV[3] now
    ARGV[4] retentionMs
    ARGV[5] expectedOperatorId   '' for anyone
    ARGV[6] addressTtlMs
    ARGV[7] operatorId       as read: the fields below name the keys above
    ARGV[8] language
    ARGV[9] addr
    ARGV[10] resumeKey
    ARGV[11] returnKey
    ARGV[12] line             as read (the first line for a record written before lines)
    ARGV[13] firstLine
    ARGV[14] breakUntil       ms: the holder's break ends then; '0' for none
    ARGV[15] net              as read: names KEYS[18]; '' for a conversation started before networks were counted
  Returns {'ok', previousState, operatorId, breakUntil}
    | {'already', 'ended', operatorId, endPending, endedFrom, endReason, endedBy, breakUntil}
    | {'not_found'} | {'forbidden'} | {'retry'}
]]
--- @include "same-fields"
--- @include "line-of"
local id = ARGV[1]
local state = redis.call('HGET', KEYS[1], 'state')
if not state then return {'not_found'} end
local op = redis.call('HGET', KEYS[1], 'operatorId') or ''
if state == 'ended' then
  local e = redis.call('HMGET', KEYS[1], 'endPending', 'endedFrom', 'endReason', 'endedBy', 'endBreakUntil')
  return {'already', 'ended', op, e[1] or '', e[2] or '', e[3] or '', e[4] or '', e[5] or '0'}
end
if ARGV[5] ~= '' and op ~= ARGV[5] then return {'forbidden'} end
if not sameFields(KEYS[1], {'operatorId', 'language', 'addr', 'resumeKey', 'returnKey', 'net'},
  {ARGV[7], ARGV[8], ARGV[9], ARGV[10], ARGV[11], ARGV[15]}) then return {'retry'} end
if lineOf(redis.call('HGET', KEYS[1], 'line'), ARGV[13]) ~= ARGV[12] then return {'retry'} end
redis.call('ZREM', KEYS[5], id)
redis.call('ZREM', KEYS[6], id)
redis.call('ZREM', KEYS[7], id)
redis.call('ZREM', KEYS[14], id)
redis.call('SREM', KEYS[8], id)
if op ~= '' then redis.call('SREM', KEYS[9], id) end
if ARGV[15] ~= '' then redis.call('SREM', KEYS[18], id) end
if ARGV[9] ~= '' then
  redis.call('SREM', KEYS[10], id)
  redis.call('SET', KEYS[11], ARGV[9], 'PX', ARGV[6])
end
redis.call('HSET', KEYS[1], 'state', 'ended', 'endedAt', ARGV[3], 'endReason', ARGV[2], 'away', '', 'held', '',
  'endPending', '1', 'endedFrom', state, 'endedBy', ARGV[5])
redis.call('ZADD', KEYS[15], ARGV[3], id)
local breakUntil = '0'
if state == 'active' and op ~= '' and ARGV[14] ~= '0' then
  breakUntil = ARGV[14]
  redis.call('HSET', KEYS[16], 'status', 'break', 'breakUntil', breakUntil, 'lastBreakAt', ARGV[3])
  redis.call('SREM', KEYS[17], op)
  redis.call('HSET', KEYS[1], 'endBreakUntil', breakUntil)
end
redis.call('HDEL', KEYS[1], 'addr', 'net')
local ttl = tonumber(ARGV[4])
for i = 1, 4 do redis.call('PEXPIRE', KEYS[i], ttl) end
if ARGV[10] ~= '' then redis.call('PEXPIRE', KEYS[12], ttl) end
if ARGV[11] ~= '' then redis.call('DEL', KEYS[13]) end
return {'ok', state, op, breakUntil}
