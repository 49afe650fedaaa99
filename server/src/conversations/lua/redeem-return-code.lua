--[[
  Resumes by return code, with the address's failures counted in the same step, so that
  parallel guesses cannot slip past the limit. Past freeFailures failures in the window,
  each further attempt must wait a delay that doubles per failure, up to maxDelayMs; an
  attempt inside the delay is refused without being looked at or counted, so a right code
  is never kept out longer than maxDelayMs. A success does not reset the count (an attacker
  could redeem a code of his own to do so).
  On success the code is consumed, a new resume token and a new code (the first free
  candidate, claimed with NX) are stored, and vfloor records the newest message: nothing up
  to it is ever sent to this visitor again.
  Each conversation has a budget of resumeLimit redemptions in any resumeWindowMs (kept in
  its hash as `codeResumes`, apart from the token resumes, so that whoever holds the token
  cannot use it up and keep the code out): past it a right code is refused, neither
  consumed nor counted as a failure.
    KEYS[1] throttle        the address's failures
    KEYS[2] code            the key the code was found under (or any key when not found)
    KEYS[3] conversation    the conversation it points to (or any key when not found)
    KEYS[4] messages        its message stream
    KEYS[5] oldToken        its current resume token's key, as read (any key when none)
    KEYS[6] newToken
    KEYS[7..] newCodes      candidate keys for the new code
    ARGV[1] id              the conversation id read from KEYS[2]; '' when not found
    ARGV[2] now
    ARGV[3] windowMs
    ARGV[4] freeFailures
    ARGV[5] maxDelayMs
    ARGV[6] resumeKey       the resume key read from the conversation
    ARGV[7] resumeLimit
    ARGV[8] resumeWindowMs
  Returns {'ok', vfloor, index of the new code} | {'rate_limited', retryMs} | {'resume_limit', retryMs}
    | {'not_found'} | {'clash'} | {'retry'}
]]
-- The times (ms, as stored) of the resumes in the window, and how long until one more is
-- allowed (0: now). Written out again by the caller with the new one added. (The same
-- helper is in rotate-token.lua.)
local function recentResumes(key, field, now, limit, windowMs)
  local kept = {}
  local oldest = now
  for at in string.gmatch(redis.call('HGET', key, field) or '', '%d+') do
    local ms = tonumber(at)
    if ms > now - windowMs then
      kept[#kept + 1] = at
      if ms < oldest then oldest = ms end
    end
  end
  if #kept >= limit then return kept, math.max(1, oldest + windowMs - now) end
  return kept, 0
end

local now = tonumber(ARGV[2])
local t = redis.call('HMGET', KEYS[1], 'n', 'until')
local untilMs = tonumber(t[2] or '0')
if untilMs > now then return {'rate_limited', tostring(untilMs - now)} end
local id = ARGV[1]
local c = nil
if id ~= '' then
  if redis.call('GET', KEYS[2]) ~= id then return {'retry'} end
  c = redis.call('HMGET', KEYS[3], 'state', 'away', 'returnUntil', 'resumeKey', 'vfloor')
end
if not c or c[1] == false or c[1] == 'ended' or c[2] == false or c[2] == '' or tonumber(c[3] or '0') <= now then
  local failures = redis.call('HINCRBY', KEYS[1], 'n', 1)
  if failures == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[3]) end
  local free = tonumber(ARGV[4])
  if failures >= free then
    local delay = math.min(tonumber(ARGV[5]), 1000 * math.pow(2, failures - free))
    redis.call('HSET', KEYS[1], 'until', tostring(now + delay))
    if redis.call('PTTL', KEYS[1]) < delay then redis.call('PEXPIRE', KEYS[1], delay) end
  end
  return {'not_found'}
end
if (c[4] or '') ~= ARGV[6] then return {'retry'} end
local recent, wait = recentResumes(KEYS[3], 'codeResumes', now, tonumber(ARGV[7]), tonumber(ARGV[8]))
if wait > 0 then return {'resume_limit', tostring(wait)} end
recent[#recent + 1] = ARGV[2]
local newIndex = nil
for i = 7, #KEYS do
  if redis.call('SET', KEYS[i], id, 'NX') then newIndex = i; break end
end
if not newIndex then return {'clash'} end
redis.call('DEL', KEYS[2])
if ARGV[6] ~= '' then redis.call('DEL', KEYS[5]) end
redis.call('SET', KEYS[6], id)
local newest = redis.call('XREVRANGE', KEYS[4], '+', '-', 'COUNT', 1)
local floor = c[5] or ''
if newest[1] then floor = newest[1][1] end
redis.call('HSET', KEYS[3], 'resumeKey', KEYS[6], 'returnKey', KEYS[newIndex], 'vfloor', floor,
  'codeResumes', table.concat(recent, ','))
return {'ok', floor, tostring(newIndex - 6)}
