--[[
  Marks messages of one conversation relayed: field '>'..clientMessageId set to '1' in its
  client message ids hash, only while that hash exists. The marks are written in batches
  a few milliseconds after their relay; a conversation ended and erased in the meantime
  must not get its hash back, without a TTL.
    KEYS[1] clientMessageIds
    ARGV[1..] fields        '>'..clientMessageId of each message relayed
  Returns the number of marks written
]]
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
for i = 1, #ARGV do redis.call('HSET', KEYS[1], ARGV[i], '1') end
return #ARGV
