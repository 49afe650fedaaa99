--[[
  The owner's own new password, in one step: the hash replaced, the one-time flag cleared,
  the session epoch bumped with the calling session moved along to it, and every other
  session of the account ended. A session missing from `others` (a sign-in racing with
  this) is ended by the epoch alone.

    KEYS[1] account        the account hash
    KEYS[2] session        the calling session's hash; it stays signed in
    KEYS[3] sessions       the set of the account's session ids
    KEYS[4..] others       the account's other sessions' hashes
    ARGV[1] channel        the session revocation channel (payload: a session id)
    ARGV[2] operatorId
    ARGV[3] sessionId      the calling session's id
    ARGV[4] checkedHash    the hash the current password was checked against
    ARGV[5] passwordHash   the new hash
    ARGV[6] setAt          ms
    ARGV[7..] otherIds     the ids of `others`, in the same order

  Returns the number of other sessions ended; -1 when the calling session is no longer
  live (revoked, another epoch, a disabled or unknown account), -2 when the password was
  replaced after it was checked. Then nothing is changed.
  Publishes each ended session's id on `channel`.
]]
if redis.call('EXISTS', KEYS[1]) == 0 or redis.call('HGET', KEYS[1], 'disabled') == '1' then return -1 end
-- As the session reader compares them: a missing epoch counts as 0.
local epoch = tonumber(redis.call('HGET', KEYS[1], 'epoch') or '0')
local session = redis.call('HMGET', KEYS[2], 'operatorId', 'epoch')
if session[1] ~= ARGV[2] or tonumber(session[2] or '-1') ~= epoch then return -1 end
if redis.call('HGET', KEYS[1], 'passwordHash') ~= ARGV[4] then return -2 end

redis.call('HSET', KEYS[1], 'passwordHash', ARGV[5], 'passwordOneTime', '0', 'passwordSetAt', ARGV[6])
local newEpoch = redis.call('HINCRBY', KEYS[1], 'epoch', 1)
redis.call('HSET', KEYS[2], 'epoch', newEpoch)
local ended = 0
for i = 4, #KEYS do
  local id = ARGV[i + 3]
  ended = ended + redis.call('DEL', KEYS[i])
  redis.call('SREM', KEYS[3], id)
  redis.call('PUBLISH', ARGV[1], id)
end
return ended
