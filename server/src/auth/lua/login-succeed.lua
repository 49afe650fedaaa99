--[[
  Login throttling: the attempt counted by login-begin.lua succeeded. It is taken back
  from each counter (only this one: a success must not wipe out what others guessed),
  and the (username, address) pair is remembered as one the operator signs in from.

    KEYS[1] pair           the (username, address) counter
    KEYS[2] user           the username counter
    KEYS[3] address        the address counter
    KEYS[4] known          the sign-in marker of this pair
    ARGV[1] knownForMs     how long the marker lives

  Returns 1.
]]
for i = 1, 3 do
  local n = tonumber(redis.call('HGET', KEYS[i], 'n') or '0')
  if n > 1 then
    redis.call('HINCRBY', KEYS[i], 'n', -1)
  elseif n == 1 then
    redis.call('DEL', KEYS[i])
  end
end
redis.call('SET', KEYS[4], '1', 'PX', ARGV[1])
return 1
