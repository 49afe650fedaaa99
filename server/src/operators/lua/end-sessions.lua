--[[
  Ends every session of an account: its session epoch is bumped (a session signed in under
  an older one is dead, a sign-in racing with this included) and the new epoch is announced
  with the id. A server that hears it late, after the operator signed in again, cuts only
  the sockets of sessions from an older epoch.

    KEYS[1] account    the account hash
    ARGV[1] channel    the revocation channel
    ARGV[2] operatorId

  Returns the new epoch, or -1 for an unknown account (nothing written: no stray hash).
  Publishes "<operator id> <epoch>" on channel.
]]
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
local epoch = redis.call('HINCRBY', KEYS[1], 'epoch', 1)
redis.call('PUBLISH', ARGV[1], ARGV[2] .. ' ' .. epoch)
return epoch
