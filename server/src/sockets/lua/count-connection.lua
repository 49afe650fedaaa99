--[[
  Counts one connection in its address's window, which the window's first count opens.
    KEYS[1] counter
    ARGV[1] windowMs
  Returns the count in the window, this connection included
]]
local n = redis.call('INCR', KEYS[1])
redis.call('PEXPIRE', KEYS[1], ARGV[1], 'NX')
return n
