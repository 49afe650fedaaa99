--[[
  Resumes by token: the old token's key is consumed and a new one stored, atomically. A
  conversation still away once its return window has closed (its away-expire job or the
  sweep has not ended it yet) is not resumable: the window holds to the millisecond. Its
  token is consumed all the same: it can never succeed again, and kept it would open the
  conversation as an ended one once the sweep has run.
  Each conversation has a budget of resumeLimit token resumes in any resumeWindowMs (kept
  in its hash as `tokenResumes`): past it the resume is refused and the token is kept, so
  the visitor's own client can try again once the budget allows. A script that leaves and
  resumes in a loop is held back without the operator hearing each return.
    KEYS[1] oldToken       the key the caller found the token under
    KEYS[2] newToken
    KEYS[3] conversation   the conversation it pointed to
    ARGV[1] id             the conversation id the caller read from KEYS[1]
    ARGV[2] now
    ARGV[3] resumeLimit
    ARGV[4] resumeWindowMs
  Returns {'ok', vfloor ('' before any return-code redemption)} | {'resume_limit', retryMs} | {'not_found'}
]]
--- @include "recent-resumes"

if redis.call('GET', KEYS[1]) ~= ARGV[1] then return {'not_found'} end
local now = tonumber(ARGV[2])
local c = redis.call('HMGET', KEYS[3], 'state', 'away', 'returnUntil')
if not c[1] then
  redis.call('DEL', KEYS[1])
  return {'not_found'}
end
-- Away with a window that closed, or no readable window: refused, as a return code is. An
-- ended one still answers (the visitor sees the end), as before.
if c[1] ~= 'ended' and c[2] and c[2] ~= '' and (tonumber(c[3] or '') or 0) <= now then
  redis.call('DEL', KEYS[1])
  return {'not_found'}
end
local recent, wait = recentResumes(KEYS[3], 'tokenResumes', now, tonumber(ARGV[3]), tonumber(ARGV[4]))
if wait > 0 then return {'resume_limit', tostring(wait)} end
recent[#recent + 1] = ARGV[2]
redis.call('DEL', KEYS[1])
redis.call('SET', KEYS[2], ARGV[1])
local ttl = redis.call('PTTL', KEYS[3])
if ttl > 0 then redis.call('PEXPIRE', KEYS[2], ttl) end
redis.call('HSET', KEYS[3], 'resumeKey', KEYS[2], 'tokenResumes', table.concat(recent, ','))
return {'ok', redis.call('HGET', KEYS[3], 'vfloor') or ''}
