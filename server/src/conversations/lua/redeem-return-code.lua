--[[
  Resumes by return code, with the failures counted in the same step, so that parallel
  guesses cannot slip past the limits. Three counts share one shape: the address's (IPv6
  per /64), its network's (IPv6 /48, IPv4 /24) and the deployment's. Past a count's free
  failures in its window, each further attempt must wait a delay that doubles per failure,
  up to maxDelayMs; an attempt inside any count's delay is refused without being looked at
  or counted, and answered the longest of the waits, so a right code is never kept out
  longer than maxDelayMs at a time. A success does not reset a count (an attacker could
  redeem a code of his own to do so). The address's and the network's counts outlive their
  window while their delay holds; the deployment's ends with its short window, so that
  keeping everyone waiting costs a troll globalFreeFailures failures every window.
  On success the code is consumed, a new resume token and a new code (the first free
  candidate, claimed with NX) are stored, and vfloor records the newest message: nothing up
  to it is ever sent to this visitor again; rcAt records when, for whoever holds it next.
  The visitor counts as present until presenceUntil: should the steps that bring her back
  (her socket attached, a held waiter unheld) never run, the presence sweep marks the
  conversation away again, and it ends with its return window instead of staying for ever.
  Each conversation has a budget of resumeLimit redemptions in any resumeWindowMs (kept in
  its hash as `codeResumes`, apart from the token resumes, so that whoever holds the token
  cannot use it up and keep the code out): past it a right code is refused, neither
  consumed nor counted as a failure.
    KEYS[1] throttle        the address's failures
    KEYS[2] networkThrottle its network's failures
    KEYS[3] globalThrottle  the deployment's failures
    KEYS[4] code            the key the code was found under (or any key when not found)
    KEYS[5] conversation    the conversation it points to (or any key when not found)
    KEYS[6] messages        its message stream
    KEYS[7] oldToken        its current resume token's key, as read (any key when none)
    KEYS[8] newToken
    KEYS[9] presence        visitors present, by when their presence lapses
    KEYS[10..] newCodes     candidate keys for the new code
    ARGV[1] id              the conversation id read from KEYS[4]; '' when not found
    ARGV[2] now
    ARGV[3] windowMs        the address's and the network's window
    ARGV[4] freeFailures    the address's free failures
    ARGV[5] maxDelayMs
    ARGV[6] resumeKey       the resume key read from the conversation
    ARGV[7] resumeLimit
    ARGV[8] resumeWindowMs
    ARGV[9] networkFreeFailures
    ARGV[10] globalFreeFailures
    ARGV[11] globalWindowMs
    ARGV[12] presenceUntil  ms
  Returns {'ok', vfloor, index of the new code} | {'rate_limited', retryMs} | {'resume_limit', retryMs}
    | {'not_found'} | {'clash'} | {'retry'}
]]
--- @include "recent-resumes"

-- How long a count still keeps every attempt out (0: not at all).
local function waitOf(key, now)
  local untilMs = tonumber(redis.call('HGET', key, 'until') or '0')
  if untilMs > now then return untilMs - now end
  return 0
end

-- Counts a failure. From the free-th failure in the window on, further attempts wait a
-- delay that doubles per failure, up to maxDelay. `outlive`: the count is kept while its
-- delay holds, even past the window; else the delay ends with the window.
local function countFailure(key, now, windowMs, free, maxDelay, outlive)
  local failures = redis.call('HINCRBY', key, 'n', 1)
  if failures == 1 then redis.call('PEXPIRE', key, windowMs) end
  if failures >= free then
    local delay = math.min(maxDelay, 1000 * math.pow(2, failures - free))
    if not outlive then delay = math.min(delay, math.max(0, redis.call('PTTL', key))) end
    redis.call('HSET', key, 'until', tostring(now + delay))
    if outlive and redis.call('PTTL', key) < delay then redis.call('PEXPIRE', key, delay) end
  end
end

local now = tonumber(ARGV[2])
local maxDelay = tonumber(ARGV[5])
local waitMs = math.max(waitOf(KEYS[1], now), waitOf(KEYS[2], now), waitOf(KEYS[3], now))
if waitMs > 0 then return {'rate_limited', tostring(waitMs)} end
local id = ARGV[1]
local c = nil
if id ~= '' then
  if redis.call('GET', KEYS[4]) ~= id then return {'retry'} end
  c = redis.call('HMGET', KEYS[5], 'state', 'away', 'returnUntil', 'resumeKey', 'vfloor')
end
if not c or c[1] == false or c[1] == 'ended' or c[2] == false or c[2] == '' or tonumber(c[3] or '0') <= now then
  countFailure(KEYS[1], now, tonumber(ARGV[3]), tonumber(ARGV[4]), maxDelay, true)
  countFailure(KEYS[2], now, tonumber(ARGV[3]), tonumber(ARGV[9]), maxDelay, true)
  countFailure(KEYS[3], now, tonumber(ARGV[11]), tonumber(ARGV[10]), maxDelay, false)
  return {'not_found'}
end
if (c[4] or '') ~= ARGV[6] then return {'retry'} end
local recent, wait = recentResumes(KEYS[5], 'codeResumes', now, tonumber(ARGV[7]), tonumber(ARGV[8]))
if wait > 0 then return {'resume_limit', tostring(wait)} end
recent[#recent + 1] = ARGV[2]
local newIndex = nil
for i = 10, #KEYS do
  if redis.call('SET', KEYS[i], id, 'NX') then newIndex = i; break end
end
if not newIndex then return {'clash'} end
redis.call('DEL', KEYS[4])
if ARGV[6] ~= '' then redis.call('DEL', KEYS[7]) end
redis.call('SET', KEYS[8], id)
local newest = redis.call('XREVRANGE', KEYS[6], '+', '-', 'COUNT', 1)
local floor = c[5] or ''
if newest[1] then floor = newest[1][1] end
redis.call('HSET', KEYS[5], 'resumeKey', KEYS[8], 'returnKey', KEYS[newIndex], 'vfloor', floor,
  'codeResumes', table.concat(recent, ','), 'rcAt', ARGV[2])
redis.call('ZADD', KEYS[9], ARGV[12], id)
return {'ok', floor, tostring(newIndex - 9)}
