--[[
  Changes what an account may see or do (its role, its languages, its lines) and, when
  anything really changed, bumps its access revision and announces it, in one step: a
  socket built on an older revision is then cut by every server, wherever the change
  came from (the admin API or `npm run operator`).

  A raised role (operator -> supervisor or admin, supervisor -> admin) also ends every
  session of the account, in the same step: the session epoch is bumped (no request is
  ever served with the new role on a session signed in under the old one, where TOTP may
  not have been asked) and the id with the new epoch is published on the revocation channel
  first, so live sockets hear `session:ended` before the access notice.

    KEYS[1] account        the account hash
    ARGV[1] channel        the access channel
    ARGV[2] revokedChannel the revocation channel
    ARGV[3] operatorId
    ARGV[4..] fields       field, value pairs

  Returns { revision, raised }: revision -1 for an unknown account, 0 when nothing
  changed, else the new one; raised 1 when the role was raised (the sessions ended).
  Publishes "<operator id> <epoch>" on revokedChannel when raised (as end-sessions.lua
  does), then "<operator id> <revision>" on channel.
]]
-- A missing or unknown role counts as the least privilege, as the account reader does.
local rank = { operator = 0, supervisor = 1, admin = 2 }
local function roleRank()
  return rank[redis.call('HGET', KEYS[1], 'role')] or 0
end

if redis.call('EXISTS', KEYS[1]) == 0 then return { -1, 0 } end
local before = roleRank()
local changed = false
for i = 4, #ARGV, 2 do
  if redis.call('HGET', KEYS[1], ARGV[i]) ~= ARGV[i + 1] then
    redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1])
    changed = true
  end
end
if not changed then return { 0, 0 } end
local raised = 0
if roleRank() > before then
  local epoch = redis.call('HINCRBY', KEYS[1], 'epoch', 1)
  redis.call('PUBLISH', ARGV[2], ARGV[3] .. ' ' .. epoch)
  raised = 1
end
local rev = redis.call('HINCRBY', KEYS[1], 'accessRev', 1)
redis.call('PUBLISH', ARGV[1], ARGV[3] .. ' ' .. rev)
return { rev, raised }
