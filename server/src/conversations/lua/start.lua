--[[
  Creates a conversation, unless the visitor's address is blocked, already has
  openLimit conversations open, or started startLimit of them in the current window, or
  her network (IPv6 /48, IPv4 /24) has netOpenLimit open or started netStartLimit in its
  window. The return code is claimed with NX: a new code never
  overwrites another conversation's. The visitor counts as present until presenceUntil, in
  the same step: a conversation whose socket is never attached (a step after this one
  failed, and her retry made another) is then treated as dropped by the presence sweep
  (away, held, ended), not left waiting for ever ahead of the others.
    KEYS[1] conversation    the new conversation's hash
    KEYS[2] messages        its message stream
    KEYS[3] waiting         the waiting set of its line and language
    KEYS[4] open            the address's open conversations
    KEYS[5] blocked         the address's block
    KEYS[6] resumeToken     the resume token's key
    KEYS[7] returnCode      the return code's key
    KEYS[8] starts          the address's count of starts in the current window
    KEYS[9] presence        visitors present, by when their presence lapses
    KEYS[10] openNetwork    the network's open conversations
    KEYS[11] startsNetwork  the network's count of starts in the current window
    ARGV[1] id
    ARGV[2] now             ms
    ARGV[3] language
    ARGV[4] urgent          0 | 1
    ARGV[5] role
    ARGV[6] addr            keyed hash of the address bucket
    ARGV[7] openLimit
    ARGV[8] sealedText      the first message, sealed; '' for none
    ARGV[9] textBytes       its plaintext bytes
    ARGV[10] socketId
    ARGV[11] score          its routing score
    ARGV[12] openTtlMs      how long an address's set outlives its last new conversation
    ARGV[13] signalTier     '1' when the first message shows a high danger signal (its score has the tier)
    ARGV[14] line           its line (version 2, lines)
    ARGV[15] startLimit
    ARGV[16] startWindowMs
    ARGV[17] presenceUntil  ms; the visitor's socket refreshes it once attached
    ARGV[18] net            keyed hash of the network bucket
    ARGV[19] netOpenLimit
    ARGV[20] netStartLimit
  Returns {'ok', rank, firstMessageId ('' without text)} | {'blocked'} | {'limit'}
    | {'start_limit', ms until the window ends} | {'clash'}
]]
local id, now = ARGV[1], ARGV[2]
if redis.call('EXISTS', KEYS[5]) == 1 then return {'blocked'} end
if redis.call('SCARD', KEYS[4]) >= tonumber(ARGV[7]) then return {'limit'} end
if redis.call('SCARD', KEYS[10]) >= tonumber(ARGV[19]) then return {'limit'} end
for _, s in ipairs({{KEYS[8], ARGV[15]}, {KEYS[11], ARGV[20]}}) do
  if tonumber(redis.call('GET', s[1]) or '0') >= tonumber(s[2]) then
    return {'start_limit', tostring(redis.call('PTTL', s[1]))}
  end
end
if not redis.call('SET', KEYS[7], id, 'NX') then return {'clash'} end
local hasText = ARGV[8] ~= ''
redis.call('HSET', KEYS[1], 'state', 'waiting', 'role', ARGV[5], 'language', ARGV[3], 'urgent', ARGV[4],
  'waitingSince', now, 'tags', '[]', 'away', '', 'vsock', ARGV[10], 'resumeKey', KEYS[6], 'returnKey', KEYS[7],
  'addr', ARGV[6], 'net', ARGV[18], 'waitingMsgs', hasText and '1' or '0', 'vbytes', hasText and ARGV[9] or '0', 'line', ARGV[14])
redis.call('SET', KEYS[6], id)
if ARGV[13] == '1' then redis.call('HSET', KEYS[1], 'signalTier', '1') end
local messageId = ''
if hasText then
  messageId = redis.call('XADD', KEYS[2], '*', 'f', 'v', 'o', '', 'c', ARGV[8])
  redis.call('HSET', KEYS[1], 'lastVisitorAt', now)
end
redis.call('ZADD', KEYS[3], ARGV[11], id)
for _, open in ipairs({KEYS[4], KEYS[10]}) do
  redis.call('SADD', open, id)
  redis.call('PEXPIRE', open, ARGV[12])
end
for _, starts in ipairs({KEYS[8], KEYS[11]}) do
  if redis.call('INCR', starts) == 1 then redis.call('PEXPIRE', starts, ARGV[16]) end
end
redis.call('ZADD', KEYS[9], ARGV[17], id)
return {'ok', redis.call('ZRANK', KEYS[3], id), messageId}
