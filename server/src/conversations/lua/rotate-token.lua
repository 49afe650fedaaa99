--[[
  Resumes by token: the old token's key is consumed and a new one stored, atomically. A
  conversation still away once its return window has closed (its away-expire job or the
  sweep has not ended it yet) is not resumable: the window holds to the millisecond. Its
  token is consumed all the same: it can never succeed again, and kept it would open the
  conversation as an ended one once the sweep has run.
    KEYS[1] oldToken       the key the caller found the token under
    KEYS[2] newToken
    KEYS[3] conversation   the conversation it pointed to
    ARGV[1] id             the conversation id the caller read from KEYS[1]
    ARGV[2] now
  Returns {'ok', vfloor ('' before any return-code redemption)} | {'not_found'}
]]
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return {'not_found'} end
redis.call('DEL', KEYS[1])
local c = redis.call('HMGET', KEYS[3], 'state', 'away', 'returnUntil')
if not c[1] then return {'not_found'} end
-- Away with a window that closed, or no readable window: refused, as a return code is. An
-- ended one still answers (the visitor sees the end), as before.
if c[1] ~= 'ended' and c[2] and c[2] ~= '' and (tonumber(c[3] or '') or 0) <= tonumber(ARGV[2]) then
  return {'not_found'}
end
redis.call('SET', KEYS[2], ARGV[1])
local ttl = redis.call('PTTL', KEYS[3])
if ttl > 0 then redis.call('PEXPIRE', KEYS[2], ttl) end
redis.call('HSET', KEYS[3], 'resumeKey', KEYS[2])
return {'ok', redis.call('HGET', KEYS[3], 'vfloor') or ''}
