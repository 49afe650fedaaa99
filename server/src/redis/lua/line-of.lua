-- Include: a conversation's line as stored; records written before lines (no `line`
-- field) belong to the first line, passed by the caller.
local function lineOf(stored, first)
  if not stored or stored == '' then return first end
  return stored
end
