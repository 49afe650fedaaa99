--[[
  TOTP lock: may a code given after the RIGHT password be checked? If so, it is counted
  as a wrong code at once (a sign-in it completes clears the count), so parallel attempts
  cannot check more than `limit` codes between two sign-ins. Once the count holds `limit`,
  no code is checked until an admin's reset deletes the field: a lock, not a slow-down,
  and one that never expires.

    KEYS[1] account        the account's hash; the count is its field ARGV[1]
    ARGV[1] field          the count's field name
    ARGV[2] limit          wrong codes that lock the TOTP step

  Returns this attempt's number (1 to limit) when the code may be checked, 0 when the
  count has reached the limit (locked), -1 for an unknown account.
]]
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
local n = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '0')
if n >= tonumber(ARGV[2]) then return 0 end
return redis.call('HINCRBY', KEYS[1], ARGV[1], 1)
