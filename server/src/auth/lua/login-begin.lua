--[[
  Login throttling: may this attempt go ahead? If so, it is counted as a failure at
  once (a success takes it back), so parallel attempts cannot slip past the limits.

  Each counter is a hash { n = failures, t = ms of the last counted attempt }. Once a
  counter holds `free` failures, the next attempt must wait base * 2^(n - free) ms
  after the last one, at most `cap` ms: a slow-down, never a lockout.

    KEYS[1] pair           the (username, address) counter; expires pairWindow after its last attempt
    KEYS[2] user           the username counter (distributed guessing); counts for window from its first
    KEYS[3] address        the address counter (one address, many usernames); counts for window from its first
    KEYS[4] known          a recent sign-in of this username from this address: such an attempt
                           is held only by its own (username, address) counter
    ARGV[1] now            ms
    ARGV[2] baseDelayMs
    ARGV[3] maxDelayMs     the cap
    ARGV[4] pairFree
    ARGV[5] pairWindowMs
    ARGV[6] usernameFree
    ARGV[7] addressFree
    ARGV[8] windowMs

  Returns { wait, known }: wait is 0 when the attempt may go ahead, else the ms it must
  still wait; known is 1 when KEYS[4] exists (the caller gives such a password check
  priority in the hashing worker), else 0.
]]
local now = tonumber(ARGV[1])
local base = tonumber(ARGV[2])
local cap = tonumber(ARGV[3])

local function waitFor(key, free)
  local v = redis.call('HMGET', key, 'n', 't')
  local n = tonumber(v[1] or '0')
  if n < free then return 0 end
  local delay = math.min(cap, base * 2 ^ (n - free))
  return math.max(0, tonumber(v[2] or '0') + delay - now)
end

local wait = waitFor(KEYS[1], tonumber(ARGV[4]))
local known = redis.call('EXISTS', KEYS[4])
if known == 0 then
  wait = math.max(wait, waitFor(KEYS[2], tonumber(ARGV[6])), waitFor(KEYS[3], tonumber(ARGV[7])))
end
if wait > 0 then return { math.ceil(wait), known } end

local function count(key, window, sliding)
  local n = redis.call('HINCRBY', key, 'n', 1)
  redis.call('HSET', key, 't', ARGV[1])
  if sliding or n == 1 then redis.call('PEXPIRE', key, window) end
end
count(KEYS[1], ARGV[5], true)
count(KEYS[2], ARGV[8], false)
count(KEYS[3], ARGV[8], false)
return { 0, known }
