--[[
  Moves an active conversation from one operator to another with free capacity. An
  optional hand-over note is stored only when the transfer happens. A transfer the holder
  asked for themselves is marked with them and its note (movedBy, moveNote, until the
  conversation moves again), so that this very transfer asked again shortly after (its
  answer was lost, or a step after it failed: the caller retries) is known, within
  retryWindowMs of the move (assignedAt), for what the first left undone to be done. A
  supervisor's reassign clears the mark: the holder did not ask.
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
    ARGV[8] movedBy                the holder asking for it themselves (fromOperatorId); '' for a supervisor's reassign
    ARGV[9] retryWindowMs          how long after the move the same transfer asked again is a retry
  Returns {'ok', noteId, assignedAt} | {'moved', noteId, assignedAt} | {'conflict'} | {'forbidden'} | {'full'};
  'moved': movedBy made this transfer (to the same colleague) within retryWindowMs, assignedAt
  naming it and noteId the note it stored ('' for none); nothing is written. Past the window
  it is 'forbidden', as any transfer of a conversation that is not the caller's
]]
local c = redis.call('HMGET', KEYS[1], 'state', 'operatorId', 'movedBy', 'assignedAt', 'moveNote')
if c[1] ~= 'active' then return {'conflict'} end
if ARGV[8] ~= '' and ARGV[2] ~= ARGV[3] and c[2] == ARGV[3] and c[3] == ARGV[8]
  and tonumber(ARGV[6]) - (tonumber(c[4]) or 0) <= tonumber(ARGV[9]) then
  return {'moved', c[5] or '', c[4]}
end
if c[2] ~= ARGV[2] then return {'forbidden'} end
if ARGV[2] == ARGV[3] then return {'conflict'} end
if redis.call('SCARD', KEYS[4]) >= tonumber(ARGV[5]) then return {'full'} end
local noteId = ''
if ARGV[7] ~= '' then noteId = redis.call('XADD', KEYS[2], '*', 'o', ARGV[2], 'c', ARGV[7]) end
redis.call('SMOVE', KEYS[3], KEYS[4], ARGV[1])
redis.call('HSET', KEYS[1], 'operatorId', ARGV[3], 'operatorName', ARGV[4], 'assignedAt', ARGV[6])
redis.call('HDEL', KEYS[1], 'movedAt', 'moveTo')
if ARGV[8] ~= '' then
  redis.call('HSET', KEYS[1], 'movedBy', ARGV[8], 'moveNote', noteId)
else
  redis.call('HDEL', KEYS[1], 'movedBy', 'moveNote')
end
return {'ok', noteId, ARGV[6]}
