--[[
  Moves an active conversation from one operator to another with free capacity. An
  optional hand-over note is stored only when the transfer happens. The move is marked
  (`movedBy`, until the conversation moves again), so that this very transfer asked again
  (its answer was lost, or a step after it failed: the caller retries) is known as done.
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
  Returns {'ok', noteId, assignedAt} | {'moved', '', assignedAt} | {'conflict'} | {'forbidden'} | {'full'};
  'moved': this transfer was made already (by the same operator, to the same colleague),
  assignedAt naming it; nothing is written
]]
local c = redis.call('HMGET', KEYS[1], 'state', 'operatorId', 'movedBy', 'assignedAt')
if c[1] ~= 'active' then return {'conflict'} end
if ARGV[2] ~= ARGV[3] and c[2] == ARGV[3] and c[3] == ARGV[2] then return {'moved', '', c[4]} end
if c[2] ~= ARGV[2] then return {'forbidden'} end
if ARGV[2] == ARGV[3] then return {'conflict'} end
if redis.call('SCARD', KEYS[4]) >= tonumber(ARGV[5]) then return {'full'} end
local noteId = ''
if ARGV[7] ~= '' then noteId = redis.call('XADD', KEYS[2], '*', 'o', ARGV[2], 'c', ARGV[7]) end
redis.call('SMOVE', KEYS[3], KEYS[4], ARGV[1])
redis.call('HSET', KEYS[1], 'operatorId', ARGV[3], 'operatorName', ARGV[4], 'assignedAt', ARGV[6], 'movedBy', ARGV[2])
return {'ok', noteId, ARGV[6]}
