--[[
  Spends one from each of an account's budgets, or from none: each counts what it allowed
  in a fixed window from its first count. When any of them is spent up, nothing is counted
  and the caller refuses what the budget was for, having done nothing. One script, so that
  parallel calls never go past a budget and a refusal never costs another budget.
    KEYS[1..] budgets    each the count of its window
    ARGV[1..] limits     per budget, in KEYS order: its max, then its window in ms
  Returns {1} when spent, {-1, ms, i} when a budget is spent up, `ms` being the longest
  time until one of those renews and `i` (1-based) that budget
]]
local wait, which = -1, 0
for i, key in ipairs(KEYS) do
  local used = tonumber(redis.call('GET', key) or '0')
  if used >= tonumber(ARGV[2 * i - 1]) then
    local ttl = redis.call('PTTL', key)
    if ttl < 0 then
      -- A count without its window (never written so here) would refuse for good.
      ttl = tonumber(ARGV[2 * i])
      redis.call('PEXPIRE', key, ttl)
    end
    if ttl > wait then wait, which = ttl, i end
  end
end
if wait >= 0 then return {-1, wait, which} end
for i, key in ipairs(KEYS) do
  if redis.call('INCR', key) == 1 then redis.call('PEXPIRE', key, ARGV[2 * i]) end
end
return {1}
