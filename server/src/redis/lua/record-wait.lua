-- Include: folds one observed wait into the moving average and the day's figures.
-- Needs, in the including script: KEYS named stats, statsDay, statsDayWaits passed to it.
local function recordWait(statsKey, dayKey, waitsKey, now, since, alpha, ttlMs)
  local waited = math.max(0, tonumber(now) - tonumber(since))
  local prev = redis.call('HGET', statsKey, 'ewma')
  local sample = waited / 1000
  local ewma = sample
  if prev then ewma = alpha * sample + (1 - alpha) * tonumber(prev) end
  redis.call('HSET', statsKey, 'ewma', tostring(ewma))
  redis.call('HINCRBY', dayKey, 'answered', 1)
  redis.call('RPUSH', waitsKey, waited)
  redis.call('PEXPIRE', dayKey, ttlMs)
  redis.call('PEXPIRE', waitsKey, ttlMs)
end
