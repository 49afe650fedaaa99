--[[
  Counts a delivery attempt, unless the report is gone or no longer queued.
    KEYS[1] report
  Returns {status, attempts} | nil when the report is gone
]]
if redis.call('EXISTS', KEYS[1]) == 0 then return false end
local s = redis.call('HGET', KEYS[1], 'status')
if s ~= 'queued' then return {s, redis.call('HGET', KEYS[1], 'attempts') or '0'} end
local n = redis.call('HINCRBY', KEYS[1], 'attempts', 1)
return {s, tostring(n)}
