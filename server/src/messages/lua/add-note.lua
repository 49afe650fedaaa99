--[[
  Appends a private note and its audit entry, once per client note id: a resend with the
  same id (after an `unavailable` ack, when the first write may have been stored) stores
  nothing twice and answers with the first note's id. A new note is refused past the
  conversation's note caps (what the notes stream holds, hand-over and transfer notes
  included, and the note text added here), storing and auditing nothing. The note expires
  with the conversation.
    KEYS[1] conversation
    KEYS[2] notes
    KEYS[3] clientIds      the conversation's client message ids; a note's is kept as '#'..clientNoteId ('#' is no id character)
    KEYS[4] audit
    ARGV[1] conversationId
    ARGV[2] operatorId
    ARGV[3] sealed
    ARGV[4] clientNoteId   '' for none: every call then stores a note
    ARGV[5] auditMax
    ARGV[6] bytes          the note's plaintext UTF-8 bytes
    ARGV[7] noteCap        notes the conversation holds at most
    ARGV[8] byteCap        plaintext bytes of its notes (field `nbytes`) at most
  Returns {'ok' | 'duplicate', noteId} | {'not_found'} | {'too_large'}
]]
if redis.call('EXISTS', KEYS[1]) == 0 then return {'not_found'} end
if ARGV[4] ~= '' then
  local existing = redis.call('HGET', KEYS[3], '#' .. ARGV[4])
  if existing then return {'duplicate', existing} end
end
local nbytes = tonumber(redis.call('HGET', KEYS[1], 'nbytes') or '0') + tonumber(ARGV[6])
if nbytes > tonumber(ARGV[8]) or redis.call('XLEN', KEYS[2]) >= tonumber(ARGV[7]) then return {'too_large'} end
local id = redis.call('XADD', KEYS[2], '*', 'o', ARGV[2], 'c', ARGV[3])
if ARGV[4] ~= '' then redis.call('HSET', KEYS[3], '#' .. ARGV[4], id) end
-- Far below 1e14, where Lua would write the number in exponent form.
redis.call('HSET', KEYS[1], 'nbytes', nbytes)
local ttl = redis.call('PTTL', KEYS[1])
if ttl > 0 then
  redis.call('PEXPIRE', KEYS[2], ttl)
  redis.call('PEXPIRE', KEYS[3], ttl)
end
redis.call('XADD', KEYS[4], 'MAXLEN', '~', ARGV[5], '*', 'action', 'note', 'actor', ARGV[2], 'conversation', ARGV[1])
return {'ok', id}
