--[[
  Appends one audit entry unless the gate is closed: the first call of a window writes the
  entry and closes the gate for that window; every other call in it writes nothing. One
  script, so that parallel calls write one entry, and a gate is never closed without its entry.
    KEYS[1] gate           closed while it exists
    KEYS[2] audit
    ARGV[1] windowMs
    ARGV[2] auditMax
    ARGV[3..] fields       the entry's field-value pairs
  Returns 1 when the entry was written, 0 when the gate was closed
]]
if not redis.call('SET', KEYS[1], '1', 'NX', 'PX', ARGV[1]) then return 0 end
redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[2], '*', unpack(ARGV, 3))
return 1
