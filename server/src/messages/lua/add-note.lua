--[[
  Appends a private note and its audit entry, once per client note id: a resend with the
  same id (after an `unavailable` ack, when the first write may have been stored) stores
  nothing twice and answers with the first note's id. The note expires with the
  conversation.
    KEYS[1] conversation
    KEYS[2] notes
    KEYS[3] clientIds      the conversation's client message ids; a note's is kept as '#'..clientNoteId ('#' is no id character)
    KEYS[4] audit
    ARGV[1] conversationId
    ARGV[2] operatorId
    ARGV[3] sealed
    ARGV[4] clientNoteId   '' for none: every call then stores a note
    ARGV[5] auditMax
  Returns {'ok' | 'duplicate', noteId} | {'not_found'}
]]
if redis.call('EXISTS', KEYS[1]) == 0 then return {'not_found'} end
if ARGV[4] ~= '' then
  local existing = redis.call('HGET', KEYS[3], '#' .. ARGV[4])
  if existing then return {'duplicate', existing} end
end
local id = redis.call('XADD', KEYS[2], '*', 'o', ARGV[2], 'c', ARGV[3])
if ARGV[4] ~= '' then redis.call('HSET', KEYS[3], '#' .. ARGV[4], id) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl > 0 then
  redis.call('PEXPIRE', KEYS[2], ttl)
  redis.call('PEXPIRE', KEYS[3], ttl)
end
redis.call('XADD', KEYS[4], 'MAXLEN', '~', ARGV[5], '*', 'action', 'note', 'actor', ARGV[2], 'conversation', ARGV[1])
return {'ok', id}
