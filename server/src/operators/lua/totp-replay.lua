--[[
  Accepts a TOTP time step only if it is newer than the last one accepted (RFC 6238 §5.2).
    KEYS[1] totpLast       the last time step accepted
    ARGV[1] counter        this code's time step
    ARGV[2] keepMs         how long the last step is remembered
  Returns 1 when accepted, 0 for a replayed or older step
]]
local last = tonumber(redis.call('GET', KEYS[1]) or '-1')
if tonumber(ARGV[1]) <= last then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1
