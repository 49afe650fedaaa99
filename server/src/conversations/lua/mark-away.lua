--[[
  The visitor left (quick exit) or dropped: the conversation is away and resumable for the
  return window. A waiting one is indexed in waitingAway, to be held out of routing once
  its visitor has been gone too long. Every one is indexed in awayUntil by the end of its
  window, in the same step: the sweep ends it from there should its away-expire job be lost.
    KEYS[1] conversation
    KEYS[2] waitingAway
    KEYS[3] awayUntil
    ARGV[1] id
    ARGV[2] reason         quick-exit | disconnected
    ARGV[3] now
    ARGV[4] returnUntil
    ARGV[5] socket         a drop: the socket that dropped, which must still hold the
                           conversation (a resume on another instance may have come first);
                           '' for a leave or the sweep
  Returns {state, operatorId} | {} when it ended, is gone, is away already or is held by
  another socket
]]
local c = redis.call('HMGET', KEYS[1], 'state', 'operatorId', 'away', 'vsock')
if not c[1] or c[1] == 'ended' then return {} end
if ARGV[5] ~= '' and c[4] ~= ARGV[5] then return {} end
-- Away already: the first leave set the return window. A repeat (a script sending
-- chat:leave 'quick-exit' over and over) must not move it on, nor queue another expiry.
if c[3] and c[3] ~= '' then return {} end
redis.call('HSET', KEYS[1], 'away', ARGV[2], 'awaySince', ARGV[3], 'returnUntil', ARGV[4], 'vsock', '')
if c[1] == 'waiting' then redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1]) end
redis.call('ZADD', KEYS[3], ARGV[4], ARGV[1])
return {c[1], c[2] or ''}
