--[[
  Counts a socket for its group and, when the group would have more than `max`, takes out
  the entries that lapse first, never the newcomer: lapsed entries go, then all but the
  `max - 1` newest others, then the socket comes in (a socket in already is the newest then).
    KEYS[1] group       the group's sorted set: socket ids, each scored with when it lapses
    ARGV[1] socketId
    ARGV[2] now         ms
    ARGV[3] ttlMs       how long an entry counts without a refresh
    ARGV[4] max         live sockets the group may have
  Returns the socket ids taken out (possibly of other instances, or of none any more)
]]
local group, socketId, now, ttl = KEYS[1], ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
local keep = -tonumber(ARGV[4])
redis.call('ZREMRANGEBYSCORE', group, '-inf', now)
redis.call('ZREM', group, socketId)
local evicted = redis.call('ZRANGE', group, 0, keep)
redis.call('ZREMRANGEBYRANK', group, 0, keep)
redis.call('ZADD', group, now + ttl, socketId)
redis.call('PEXPIRE', group, ttl)
return evicted
