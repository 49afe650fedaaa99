--[[
  Settles a page's claim, if it is still the caller's: after a successful send it keeps
  the claim for the interval, counted from now; after a failed one it releases it, so that
  the retry or another instance may page. A claim that expired and was taken by someone
  else is left alone.
    KEYS[1] claim         the page's claim (kind and line); its value is the claimer's token
    ARGV[1] token
    ARGV[2] keepMs        > 0: keep it this long from now; 0: release it
  Returns 1 when the claim was the caller's, 0 otherwise
]]
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
if tonumber(ARGV[2]) > 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
else
  redis.call('DEL', KEYS[1])
end
return 1
