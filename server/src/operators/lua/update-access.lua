--[[
  Changes what an account may see or do (its role, its languages; later its lines) and,
  when anything really changed, bumps its access revision and announces it, in one step:
  a socket built on an older revision is then cut by every server, wherever the change
  came from (the admin API or `npm run operator`).

    KEYS[1] account        the account hash
    ARGV[1] channel        the channel to publish on
    ARGV[2] operatorId
    ARGV[3..] fields       field, value pairs

  Returns -1 for an unknown account, 0 when nothing changed, else the new revision.
  Publishes "<operator id> <revision>".
]]
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
local changed = false
for i = 3, #ARGV, 2 do
  if redis.call('HGET', KEYS[1], ARGV[i]) ~= ARGV[i + 1] then
    redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1])
    changed = true
  end
end
if not changed then return 0 end
local rev = redis.call('HINCRBY', KEYS[1], 'accessRev', 1)
redis.call('PUBLISH', ARGV[1], ARGV[2] .. ' ' .. rev)
return rev
