--[[
  Resumes by token: the old token's key is consumed and a new one stored, atomically.
    KEYS[1] oldToken       the key the caller found the token under
    KEYS[2] newToken
    KEYS[3] conversation   the conversation it pointed to
    ARGV[1] id             the conversation id the caller read from KEYS[1]
  Returns {'ok', vfloor ('' before any return-code redemption)} | {'not_found'}
]]
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return {'not_found'} end
redis.call('DEL', KEYS[1])
if redis.call('EXISTS', KEYS[3]) == 0 then return {'not_found'} end
redis.call('SET', KEYS[2], ARGV[1])
local ttl = redis.call('PTTL', KEYS[3])
if ttl > 0 then redis.call('PEXPIRE', KEYS[2], ttl) end
redis.call('HSET', KEYS[3], 'resumeKey', KEYS[2])
return {'ok', redis.call('HGET', KEYS[3], 'vfloor') or ''}
