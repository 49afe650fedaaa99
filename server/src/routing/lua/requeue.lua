--[[
  Returns an active conversation to the queue, keeping its original waitingSince (and so
  its place). An optional hand-over note is stored only when the move happens. The caller
  read the line and language to name KEYS[4] and KEYS[7]. With toLine (a transfer to
  another line's queue) its line becomes toLine, and KEYS[4] and KEYS[7] are that line's.
  Back in a queue it is no longer served through overflow (servedLine goes). A move the
  holder asked for themselves (movedBy: their transfer to a queue) is marked with them, its
  time, its toLine and its note (movedBy, movedAt, moveTo, moveNote, until the conversation
  moves again), so that the same move asked again shortly after (its answer was lost, or a
  step after it failed: the caller retries) is known, within retryWindowMs of movedAt, for
  what the first left undone to be done; any other requeue (grace period, lines, a
  supervisor's reassign) clears the mark.
    KEYS[1] conversation
    KEYS[2] notes
    KEYS[3] operatorConversations   of the expected holder
    KEYS[4] waiting                 the waiting set of its (new) line and language
    KEYS[5] active
    KEYS[6] waitingAway
    KEYS[7] fallback                that line's waiting conversations Dutch and English speakers may take
    ARGV[1] id
    ARGV[2] operatorId             the expected holder
    ARGV[3] sealedNote             '' for none
    ARGV[4] language               as read
    ARGV[5] urgentOffset           added to the score of a conversation that is not urgent
    ARGV[6] fallbackShift          added to the score on the fallback (after own-language peers)
    ARGV[7] signalOffset           added instead of urgentOffset when it shows a high danger signal
    ARGV[8] line                   as read (the first line for a record written before lines)
    ARGV[9] toLine                 '' to stay on its line, else the line whose queue it goes to
    ARGV[10] firstLine
    ARGV[11] movedBy                the operator asking for the move; '' when nobody asked (grace period, lines)
    ARGV[12] now
    ARGV[13] retryWindowMs         how long after the move the same move asked again is a retry
  Returns {'ok', noteId, movedAt, urgent} | {'moved', noteId, movedAt, urgent} | {'conflict'} | {'forbidden'} | {'retry'};
  urgent is '1' for an urgent conversation (it waits again: its alert is due again).
  'moved': movedBy made this move (to the same toLine) within retryWindowMs, movedAt naming it
  and noteId the note it stored ('' for none); nothing is written. Past the window it is a
  'conflict', as any requeue of a conversation that is not active
]]
--- @include "line-of"
local id = ARGV[1]
local c = redis.call('HMGET', KEYS[1], 'state', 'operatorId', 'urgent', 'waitingSince', 'language', 'away', 'awaySince', 'languageFallback', 'signalTier', 'line', 'movedBy', 'movedAt', 'moveTo', 'moveNote')
local urgent = c[3] == '1' and '1' or '0'
if c[1] == 'waiting' and ARGV[11] ~= '' and c[11] == ARGV[11] and (c[13] or '') == ARGV[9]
  and tonumber(ARGV[12]) - (tonumber(c[12]) or 0) <= tonumber(ARGV[13]) then
  return {'moved', c[14] or '', c[12], urgent}
end
if c[1] ~= 'active' then return {'conflict'} end
if c[2] ~= ARGV[2] then return {'forbidden'} end
if c[5] ~= ARGV[4] or lineOf(c[10], ARGV[10]) ~= ARGV[8] then return {'retry'} end
local noteId = ''
if ARGV[3] ~= '' then noteId = redis.call('XADD', KEYS[2], '*', 'o', c[2], 'c', ARGV[3]) end
redis.call('HSET', KEYS[1], 'state', 'waiting', 'waitingMsgs', '0')
redis.call('HDEL', KEYS[1], 'operatorId', 'operatorName', 'assignedAt', 'servedLine')
if ARGV[11] ~= '' then
  redis.call('HSET', KEYS[1], 'movedBy', ARGV[11], 'movedAt', ARGV[12], 'moveTo', ARGV[9], 'moveNote', noteId)
else
  redis.call('HDEL', KEYS[1], 'movedBy', 'movedAt', 'moveTo', 'moveNote')
end
if ARGV[9] ~= '' then redis.call('HSET', KEYS[1], 'line', ARGV[9]) end
redis.call('SREM', KEYS[3], id)
redis.call('SREM', KEYS[5], id)
local score = tonumber(c[4])
if c[3] ~= '1' then
  if c[9] == '1' then score = score + tonumber(ARGV[7]) else score = score + tonumber(ARGV[5]) end
end
redis.call('ZADD', KEYS[4], score, id)
if c[8] == '1' then redis.call('ZADD', KEYS[7], score + tonumber(ARGV[6]), id) end
if c[6] and c[6] ~= '' and c[7] then redis.call('ZADD', KEYS[6], tonumber(c[7]), id) end
return {'ok', noteId, ARGV[12], urgent}
