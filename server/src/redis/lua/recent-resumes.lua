-- Include: the times (ms, as stored) of a conversation's resumes in the window, and how long
-- until one more is allowed (0: now); the caller writes them out again with the new one added.
-- Used by conversations/lua/rotate-token.lua and redeem-return-code.lua.
local function recentResumes(key, field, now, limit, windowMs)
  local kept = {}
  local oldest = now
  for at in string.gmatch(redis.call('HGET', key, field) or '', '%d+') do
    local ms = tonumber(at)
    if ms > now - windowMs then
      kept[#kept + 1] = at
      if ms < oldest then oldest = ms end
    end
  end
  if #kept >= limit then return kept, math.max(1, oldest + windowMs - now) end
  return kept, 0
end
