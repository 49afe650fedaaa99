-- Include: true when a hash's fields still hold the values the caller read before the
-- script (which it used to name the keys it passed). Absent fields read as ''.
local function sameFields(key, names, values)
  local now = redis.call('HMGET', key, unpack(names))
  for i = 1, #names do
    if (now[i] or '') ~= (values[i] or '') then return false end
  end
  return true
end
