--[[
  Returns an active conversation to the queue, keeping its original waitingSince (and so
  its place). An optional hand-over note is stored only when the move happens. The caller
  read the line and language to name KEYS[4] and KEYS[7]. With toLine (a transfer to
  another line's queue) its line becomes toLine, and KEYS[4] and KEYS[7] are that line's.
  Back in a queue it is no longer served through overflow (servedLine goes).
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
  Returns {'ok', noteId} | {'conflict'} | {'forbidden'} | {'retry'}
]]
--- @include "line-of"
local id = ARGV[1]
local c = redis.call('HMGET', KEYS[1], 'state', 'operatorId', 'urgent', 'waitingSince', 'language', 'away', 'awaySince', 'languageFallback', 'signalTier', 'line')
if c[1] ~= 'active' then return {'conflict'} end
if c[2] ~= ARGV[2] then return {'forbidden'} end
if c[5] ~= ARGV[4] or lineOf(c[10], ARGV[10]) ~= ARGV[8] then return {'retry'} end
local noteId = ''
if ARGV[3] ~= '' then noteId = redis.call('XADD', KEYS[2], '*', 'o', c[2], 'c', ARGV[3]) end
redis.call('HSET', KEYS[1], 'state', 'waiting', 'waitingMsgs', '0')
redis.call('HDEL', KEYS[1], 'operatorId', 'operatorName', 'assignedAt', 'servedLine')
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
return {'ok', noteId}
