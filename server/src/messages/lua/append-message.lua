--[[
  Appends a message, once per client message id. A visitor message is refused past the
  waiting-message cap (while waiting) or the conversation's byte or message cap; a resend of a
  stored message is answered with its id whatever the caps, and says whether the message
  was relayed (field '>'..clientMessageId, set after the relay; '>' is no id character).
    KEYS[1] conversation
    KEYS[2] messages
    KEYS[3] clientMessageIds
    ARGV[1] from           v | o | s
    ARGV[2] operatorId     '' unless from = o
    ARGV[3] sealed
    ARGV[4] clientMessageId
    ARGV[5] now
    ARGV[6] bytes          plaintext UTF-8 bytes
    ARGV[7] waitingCap
    ARGV[8] byteCap
    ARGV[9] messageCap     visitor messages a conversation stores at most
  Each answer also carries the conversation's vfloor (its last return-code redemption's
  newest message, '' before any): a stored message up to it is never sent to the visitor
  again, and a new one goes to the visitor sockets that came in under that floor.
  Returns {'ok' | 'duplicate', messageId, operatorId, state, watchers, relayed, vfloor} | {'not_found'} | {'ended'} | {'forbidden'} | {'rate_limited'} | {'too_large'}
]]
local state = redis.call('HGET', KEYS[1], 'state')
if not state then return {'not_found'} end
if state == 'ended' then return {'ended'} end
local op = redis.call('HGET', KEYS[1], 'operatorId') or ''
if ARGV[1] == 'o' and (state ~= 'active' or op ~= ARGV[2]) then return {'forbidden'} end
if ARGV[4] ~= '' then
  local existing = redis.call('HGET', KEYS[3], ARGV[4])
  if existing then
    local relayed = redis.call('HEXISTS', KEYS[3], '>' .. ARGV[4])
    local c = redis.call('HMGET', KEYS[1], 'watchers', 'vfloor')
    return {'duplicate', existing, op, state, c[1] or '0', tostring(relayed), c[2] or ''}
  end
end
if ARGV[1] == 'v' then
  if state == 'waiting' and tonumber(redis.call('HGET', KEYS[1], 'waitingMsgs') or '0') >= tonumber(ARGV[7]) then
    return {'rate_limited'}
  end
  local stored = redis.call('HMGET', KEYS[1], 'vbytes', 'vcount')
  if tonumber(stored[1] or '0') + tonumber(ARGV[6]) > tonumber(ARGV[8])
    or tonumber(stored[2] or '0') >= tonumber(ARGV[9]) then
    return {'too_large'}
  end
end
local id = redis.call('XADD', KEYS[2], '*', 'f', ARGV[1], 'o', ARGV[2], 'c', ARGV[3])
if ARGV[4] ~= '' then redis.call('HSET', KEYS[3], ARGV[4], id) end
if ARGV[1] == 'v' then
  redis.call('HSET', KEYS[1], 'lastVisitorAt', ARGV[5])
  redis.call('HINCRBY', KEYS[1], 'vbytes', ARGV[6])
  redis.call('HINCRBY', KEYS[1], 'vcount', 1)
  if state == 'waiting' then redis.call('HINCRBY', KEYS[1], 'waitingMsgs', 1) end
end
local c = redis.call('HMGET', KEYS[1], 'watchers', 'vfloor')
return {'ok', id, op, state, c[1] or '0', '0', c[2] or ''}
