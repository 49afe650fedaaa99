--[[
  Marks relayed messages of one or more conversations: field '>'..clientMessageId set to
  '1' in each conversation's client message ids hash, only while that hash exists. The
  marks are written in batches a few milliseconds after their relay; a conversation ended
  and erased in the meantime must not get its hash back, without a TTL. One call carries
  a whole batch: one script per conversation was as many scripts as messages.
    KEYS[1..] clientMessageIds    one hash per conversation
    ARGV[1..] marks               per key, in order: the number of its fields, then the
                                  fields ('>'..clientMessageId of each message relayed)
  Returns the number of marks written
]]
local a, written = 1, 0
for k = 1, #KEYS do
  local n = tonumber(ARGV[a])
  if redis.call('EXISTS', KEYS[k]) == 1 then
    for i = a + 1, a + n do redis.call('HSET', KEYS[k], ARGV[i], '1') end
    written = written + n
  end
  a = a + n + 1
end
return written
