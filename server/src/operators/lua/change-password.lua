--[[
  The owner's own new password, in one step: the hash replaced, the one-time flag cleared,
  the session epoch bumped, the calling session renewed under a new id in the new epoch
  (a copy of its old cookie stops working), and every other session of the account ended.
  A session missing from `others` (a sign-in racing with this) is ended by the epoch alone.

    KEYS[1] account        the account hash
    KEYS[2] session        the calling session's hash; renamed to `renewed`
    KEYS[3] sessions       the set of the account's session ids
    KEYS[4] renewed        the calling session's hash under its new id
    KEYS[5..] others       the account's other sessions' hashes
    ARGV[1] channel        the session revocation channel (payload: a session id)
    ARGV[2] operatorId
    ARGV[3] sessionId      the calling session's id
    ARGV[4] renewedId      its new id
    ARGV[5] checkedHash    the hash the current password was checked against
    ARGV[6] passwordHash   the new hash
    ARGV[7] setAt          ms
    ARGV[8] revokedChannel the operator revocation channel (payload: "<operator id> <epoch>")
    ARGV[9..] otherIds     the ids of `others`, in the same order

  Returns the number of other sessions ended; -1 when the calling session is no longer
  live (revoked, another epoch, a disabled or unknown account), -2 when the password was
  replaced after it was checked. Then nothing is changed.
  Publishes each ended session's id on `channel`, the calling session's old id last, then
  the id with the new epoch on `revokedChannel`: the sockets of a session missing from
  `others` are cut at once too, and those of the renewed session (the new epoch) never.
]]
if redis.call('EXISTS', KEYS[1]) == 0 or redis.call('HGET', KEYS[1], 'disabled') == '1' then return -1 end
-- As the session reader compares them: a missing epoch counts as 0.
local epoch = tonumber(redis.call('HGET', KEYS[1], 'epoch') or '0')
local session = redis.call('HMGET', KEYS[2], 'operatorId', 'epoch')
if session[1] ~= ARGV[2] or tonumber(session[2] or '-1') ~= epoch then return -1 end
if redis.call('HGET', KEYS[1], 'passwordHash') ~= ARGV[5] then return -2 end

redis.call('HSET', KEYS[1], 'passwordHash', ARGV[6], 'passwordOneTime', '0', 'passwordSetAt', ARGV[7])
local newEpoch = redis.call('HINCRBY', KEYS[1], 'epoch', 1)
-- RENAME keeps the idle timer, and `createdAt` keeps the maximum age: renewed, not extended.
redis.call('RENAME', KEYS[2], KEYS[4])
redis.call('HSET', KEYS[4], 'epoch', newEpoch)
redis.call('SREM', KEYS[3], ARGV[3])
redis.call('SADD', KEYS[3], ARGV[4])
local ended = 0
for i = 5, #KEYS do
  local id = ARGV[i + 4]
  ended = ended + redis.call('DEL', KEYS[i])
  redis.call('SREM', KEYS[3], id)
  redis.call('PUBLISH', ARGV[1], id)
end
redis.call('PUBLISH', ARGV[1], ARGV[3])
redis.call('PUBLISH', ARGV[8], ARGV[2] .. ' ' .. newEpoch)
return ended
