--[[
  Counts a socket for its group, unless the group has `max` live ones already: lapsed
  entries go first, then the socket comes in (a socket in already is moved on) and the
  group is counted; one past `max` takes itself out again. One script, so that parallel
  claims never admit more than `max`.
    KEYS[1] group       the group's sorted set: socket ids, each scored with when it lapses
    ARGV[1] socketId
    ARGV[2] now         ms
    ARGV[3] ttlMs       how long an entry counts without a refresh
    ARGV[4] max         live sockets the group may have
  Returns 1 when the socket may connect, 0 when the group was full
]]
local group, socketId, now, ttl = KEYS[1], ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', group, '-inf', now)
redis.call('ZADD', group, now + ttl, socketId)
redis.call('PEXPIRE', group, ttl)
if redis.call('ZCARD', group) <= tonumber(ARGV[4]) then return 1 end
redis.call('ZREM', group, socketId)
return 0
