--[[
  Ends every session of an account, in one step: its session keys and its session set are
  deleted, and its session epoch is bumped (a session signed in under an older one is dead,
  also one that a sign-in racing with this is creating, or that checked an old password or
  TOTP secret). The new epoch is announced with the id: a server that hears it late, after
  the operator signed in again, cuts only the sockets of sessions from an older epoch.

    KEYS[1] account        the account hash
    KEYS[2] sessions       the account's session set
    KEYS[3..] sessionKeys  the hashes of the session ids the caller read from KEYS[2]
    ARGV[1] channel        the revocation channel
    ARGV[2] operatorId

  Returns the number of session keys deleted, or -1 for an unknown account (nothing
  written: no stray hash). Publishes "<operator id> <epoch>" on channel.
]]
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
local ended = 0
for i = 3, #KEYS do ended = ended + redis.call('DEL', KEYS[i]) end
redis.call('DEL', KEYS[2])
local epoch = redis.call('HINCRBY', KEYS[1], 'epoch', 1)
redis.call('PUBLISH', ARGV[1], ARGV[2] .. ' ' .. epoch)
return ended
