--[[
  Moves an active conversation from one operator to another with free capacity. An
  optional hand-over note is stored only when the transfer happens.
    KEYS[1] conversation
    KEYS[2] notes
    KEYS[3] fromConversations
    KEYS[4] toConversations
    ARGV[1] id
    ARGV[2] fromOperatorId
    ARGV[3] toOperatorId
    ARGV[4] toName
    ARGV[5] toCapacity
    ARGV[6] now
    ARGV[7] sealedNote             '' for none
  Returns {'ok', noteId} | {'conflict'} | {'forbidden'} | {'full'}
]]
local c = redis.call('HMGET', KEYS[1], 'state', 'operatorId')
if c[1] ~= 'active' then return {'conflict'} end
if c[2] ~= ARGV[2] then return {'forbidden'} end
if ARGV[2] == ARGV[3] then return {'conflict'} end
if redis.call('SCARD', KEYS[4]) >= tonumber(ARGV[5]) then return {'full'} end
local noteId = ''
if ARGV[7] ~= '' then noteId = redis.call('XADD', KEYS[2], '*', 'o', ARGV[2], 'c', ARGV[7]) end
redis.call('SMOVE', KEYS[3], KEYS[4], ARGV[1])
redis.call('HSET', KEYS[1], 'operatorId', ARGV[3], 'operatorName', ARGV[4], 'assignedAt', ARGV[6])
return {'ok', noteId}
