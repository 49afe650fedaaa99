/**
 * Lua scripts: every state change of a conversation happens in one atomic script, so
 * two operators, two instances or a worker can never half-apply a transition. Keys
 * derived inside a script from the prefix are fine on a single Redis (or Sentinel);
 * they would need hash tags on Redis Cluster.
 *
 * Conversation hash fields: state, role, language, urgent (0/1), waitingSince (ms),
 * assignedAt (ms), operatorId, operatorName, tags (JSON), away (''|reason),
 * awaySince (ms), returnUntil (ms), endedAt (ms), endReason, vsock, lastVisitorAt,
 * addr (keyed hash of the visitor's address bucket, while open), waitingMsgs (visitor
 * messages since it last started waiting), vbytes (visitor plaintext bytes stored),
 * held (1 while held out of routing), vfloor (stream id of the last return-code
 * redemption: nothing up to it is sent to the visitor again).
 *
 * Waiting conversations sit in one sorted set per language (`waiting:<lang>`), scored
 * by `score()`, so a routing pass looks only at what the available operators can take.
 * `held` holds waiters whose visitor has been gone too long, with their score kept;
 * `waiting-away` indexes waiters whose visitor is away, by the time they left.
 */

import { EWMA_ALPHA } from '@stille-lijn/shared/domain/wait';

/** The routing score: urgent before the rest, then the earliest waitingSince. */
export const URGENT_OFFSET = 10_000_000_000_000;

/** How long a conversation's address hash outlives its end, so that it can still be blocked. */
export const ADDRESS_AFTER_END_MS = 60 * 60_000;

const common = /* lua */ `
local P = ARGV[1]
local function ckey(id) return P .. ':conv:' .. id end
local function wkey(lang) return P .. ':waiting:' .. lang end
local function score(urgent, since) if urgent == '1' then return tonumber(since) end return ${URGENT_OFFSET} + tonumber(since) end
-- Takes a conversation out of every waiting structure.
local function unqueue(id, lang)
  if lang then redis.call('ZREM', wkey(lang), id) end
  redis.call('ZREM', P .. ':held', id)
  redis.call('ZREM', P .. ':waiting-away', id)
end
-- Folds one observed wait into the EWMA (alpha ${EWMA_ALPHA}) and today's figures, atomically.
local function recordWait(now, since, day)
  local waited = math.max(0, tonumber(now) - tonumber(since))
  local prev = redis.call('HGET', P .. ':stats', 'ewma')
  local sample = waited / 1000
  local ewma = sample
  if prev then ewma = ${EWMA_ALPHA} * sample + (1 - ${EWMA_ALPHA}) * tonumber(prev) end
  redis.call('HSET', P .. ':stats', 'ewma', tostring(ewma))
  local dk = P .. ':stats:' .. day
  redis.call('HINCRBY', dk, 'answered', 1)
  redis.call('RPUSH', dk .. ':waits', waited)
  redis.call('PEXPIRE', dk, 259200000)
  redis.call('PEXPIRE', dk .. ':waits', 259200000)
end
-- A conversation becomes an operator's: out of the queue, the waiting-message count reset.
local function assign(id, lang, opId, opName, now)
  unqueue(id, lang)
  redis.call('HSET', ckey(id), 'state', 'active', 'operatorId', opId, 'operatorName', opName, 'assignedAt', now, 'waitingMsgs', '0', 'held', '')
  redis.call('SADD', P .. ':op:' .. opId .. ':convs', id)
  redis.call('SADD', P .. ':active', id)
end
`;

/**
 * Creates a conversation, unless the visitor's address is blocked or already has
 * `openLimit` conversations open. The return code is claimed with NX: a new code never
 * overwrites another conversation's.
 * ARGV: prefix, id, now, language, urgent (0/1), role, addrHash, openLimit, resumeKey,
 * returnKey, sealed first text ('' for none), its bytes, socket id.
 * Returns {'ok', rank} | {'blocked'} | {'limit'} | {'clash'}.
 */
export const startLua = `${common}
local id, now, lang, urgent = ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local addr = ARGV[7]
local openKey = P .. ':open:' .. addr
if redis.call('EXISTS', P .. ':block:addr:' .. addr) == 1 then return {'blocked'} end
if redis.call('SCARD', openKey) >= tonumber(ARGV[8]) then return {'limit'} end
if not redis.call('SET', ARGV[10], id, 'NX') then return {'clash'} end
local hasText = ARGV[11] ~= ''
redis.call('HSET', ckey(id), 'state', 'waiting', 'role', ARGV[6], 'language', lang, 'urgent', urgent,
  'waitingSince', now, 'tags', '[]', 'away', '', 'vsock', ARGV[13], 'resumeKey', ARGV[9], 'returnKey', ARGV[10],
  'addr', addr, 'waitingMsgs', hasText and '1' or '0', 'vbytes', hasText and ARGV[12] or '0')
redis.call('SET', ARGV[9], id)
if hasText then
  local mid = redis.call('XADD', ckey(id) .. ':msgs', '*', 'f', 'v', 'o', '', 'c', ARGV[11])
  redis.call('HSET', ckey(id), 'lastVisitorAt', now)
end
redis.call('ZADD', wkey(lang), score(urgent, now), id)
redis.call('SADD', openKey, id)
-- A safety net: an address's set never outlives a day without a new conversation.
redis.call('PEXPIRE', openKey, 86400000)
return {'ok', redis.call('ZRANK', wkey(lang), id)}
`;

/**
 * Appends a message with idempotency on the client message id. A visitor message is
 * refused past the waiting-message cap (while waiting) or the conversation's byte cap.
 * KEYS: conv hash, msgs stream, cmids hash. ARGV: prefix, from (v|o|s), operatorId,
 * sealed text, cmid, now, plaintext bytes, waiting cap, byte cap.
 * Returns {status, messageId, operatorId, state, watchers}.
 */
export const appendMessageLua = `${common}
local state = redis.call('HGET', KEYS[1], 'state')
if not state then return {'not_found'} end
if state == 'ended' then return {'ended'} end
local op = redis.call('HGET', KEYS[1], 'operatorId') or ''
if ARGV[2] == 'o' and (state ~= 'active' or op ~= ARGV[3]) then return {'forbidden'} end
if ARGV[5] ~= '' then
  local existing = redis.call('HGET', KEYS[3], ARGV[5])
  if existing then return {'duplicate', existing, op, state} end
end
if ARGV[2] == 'v' then
  if state == 'waiting' and tonumber(redis.call('HGET', KEYS[1], 'waitingMsgs') or '0') >= tonumber(ARGV[8]) then
    return {'rate_limited'}
  end
  if tonumber(redis.call('HGET', KEYS[1], 'vbytes') or '0') + tonumber(ARGV[7]) > tonumber(ARGV[9]) then
    return {'too_large'}
  end
end
local id = redis.call('XADD', KEYS[2], '*', 'f', ARGV[2], 'o', ARGV[3], 'c', ARGV[4])
if ARGV[5] ~= '' then redis.call('HSET', KEYS[3], ARGV[5], id) end
if ARGV[2] == 'v' then
  redis.call('HSET', KEYS[1], 'lastVisitorAt', ARGV[6])
  redis.call('HINCRBY', KEYS[1], 'vbytes', ARGV[7])
  if state == 'waiting' then redis.call('HINCRBY', KEYS[1], 'waitingMsgs', 1) end
end
return {'ok', id, op, state, redis.call('HGET', KEYS[1], 'watchers') or '0'}
`;

/**
 * One routing pass: gives waiting conversations, in routing order, to the least loaded
 * available operator with free capacity who speaks their language. Only the heads of the
 * waiting sets of the languages those operators speak are read, so no number of
 * conversations in other languages can stall the pass.
 * ARGV: prefix, now, day (YYYY-MM-DD). Returns a flat list of
 * [convId, operatorId, waitingSince, operatorName, operatorLoad].
 */
export const routePassLua = `${common}
local now = ARGV[2]
local avail = redis.call('SMEMBERS', P .. ':route:available')
if #avail == 0 then return {} end
local ops = {}
local free = 0
local langs = {}
for _, id in ipairs(avail) do
  local info = redis.call('HMGET', P .. ':route:op:' .. id, 'status', 'langs', 'cap', 'name')
  if info[1] == 'available' then
    local load = redis.call('SCARD', P .. ':op:' .. id .. ':convs')
    local cap = tonumber(info[3]) or 0
    if load < cap then
      local speaks = {}
      for l in string.gmatch(info[2] or '', '[^,]+') do speaks[l] = true; langs[l] = true end
      table.insert(ops, { id = id, load = load, cap = cap, langs = speaks, name = info[4] or '' })
      free = free + (cap - load)
    end
  end
end
if free == 0 then return {} end
-- The heads of the waiting sets, merged in routing order. Stale entries are dropped
-- below, so a few more than the free places are read.
local heads = {}
for lang in pairs(langs) do
  local z = redis.call('ZRANGE', wkey(lang), 0, free + 15, 'WITHSCORES')
  for i = 1, #z, 2 do table.insert(heads, { id = z[i], score = tonumber(z[i + 1]), lang = lang }) end
end
table.sort(heads, function(a, b) if a.score == b.score then return a.id < b.id end return a.score < b.score end)
local out = {}
for _, h in ipairs(heads) do
  if free == 0 then break end
  local c = redis.call('HMGET', ckey(h.id), 'language', 'waitingSince', 'state')
  if c[3] == 'waiting' and c[1] == h.lang then
    local best = nil
    for _, o in ipairs(ops) do
      if o.load < o.cap and o.langs[h.lang] and (best == nil or o.load < best.load) then best = o end
    end
    if best then
      assign(h.id, h.lang, best.id, best.name, now)
      best.load = best.load + 1
      free = free - 1
      recordWait(now, c[2], ARGV[3])
      table.insert(out, h.id)
      table.insert(out, best.id)
      table.insert(out, c[2])
      table.insert(out, best.name)
      table.insert(out, tostring(best.load))
    end
  else
    -- A stale entry (ended, assigned elsewhere, or in another language's set) never blocks the queue.
    redis.call('ZREM', wkey(h.lang), h.id)
  end
end
return out
`;

/**
 * An operator takes a waiting conversation by hand.
 * ARGV: prefix, convId, operatorId, operatorName, capacity, now, day. Returns {status, waitingSince}.
 */
export const acceptLua = `${common}
local k = ckey(ARGV[2])
local c = redis.call('HMGET', k, 'state', 'language', 'waitingSince')
if not c[1] then return {'not_found'} end
if c[1] ~= 'waiting' then return {'conflict'} end
if redis.call('SCARD', P .. ':op:' .. ARGV[3] .. ':convs') >= tonumber(ARGV[5]) then return {'full'} end
assign(ARGV[2], c[2], ARGV[3], ARGV[4], ARGV[6])
recordWait(ARGV[6], c[3], ARGV[7])
return {'ok', c[3]}
`;

/**
 * Returns an active conversation to the queue, keeping its original waitingSince.
 * ARGV: prefix, convId, expected operatorId ('' = any), optional encrypted hand-over note
 * (stored only when the move happens, written by the expected operator).
 * Returns {status, operatorId, noteId?}.
 */
export const requeueLua = `${common}
local k = ckey(ARGV[2])
local c = redis.call('HMGET', k, 'state', 'operatorId', 'urgent', 'waitingSince', 'language', 'away', 'awaySince')
if c[1] ~= 'active' then return {'conflict'} end
if ARGV[3] ~= '' and c[2] ~= ARGV[3] then return {'forbidden'} end
local noteId = ''
if ARGV[4] and ARGV[4] ~= '' then noteId = redis.call('XADD', k .. ':notes', '*', 'o', c[2], 'c', ARGV[4]) end
redis.call('HSET', k, 'state', 'waiting', 'waitingMsgs', '0')
redis.call('HDEL', k, 'operatorId', 'operatorName', 'assignedAt')
redis.call('SREM', P .. ':op:' .. c[2] .. ':convs', ARGV[2])
redis.call('SREM', P .. ':active', ARGV[2])
redis.call('ZADD', wkey(c[5]), score(c[3], c[4]), ARGV[2])
if c[6] and c[6] ~= '' and c[7] then redis.call('ZADD', P .. ':waiting-away', tonumber(c[7]), ARGV[2]) end
return {'ok', c[2], noteId}
`;

/**
 * Moves an active conversation from one operator to another with free capacity.
 * ARGV: prefix, convId, fromOperatorId, toOperatorId, toName, toCapacity, now, optional
 * encrypted hand-over note (stored only when the transfer happens). Returns {status, noteId?}.
 */
export const transferLua = `${common}
local k = ckey(ARGV[2])
local c = redis.call('HMGET', k, 'state', 'operatorId')
if c[1] ~= 'active' then return {'conflict'} end
if c[2] ~= ARGV[3] then return {'forbidden'} end
if ARGV[3] == ARGV[4] then return {'conflict'} end
if redis.call('SCARD', P .. ':op:' .. ARGV[4] .. ':convs') >= tonumber(ARGV[6]) then return {'full'} end
local noteId = ''
if ARGV[8] and ARGV[8] ~= '' then noteId = redis.call('XADD', k .. ':notes', '*', 'o', ARGV[3], 'c', ARGV[8]) end
redis.call('SMOVE', P .. ':op:' .. ARGV[3] .. ':convs', P .. ':op:' .. ARGV[4] .. ':convs', ARGV[2])
redis.call('HSET', k, 'operatorId', ARGV[4], 'operatorName', ARGV[5], 'assignedAt', ARGV[7])
return {'ok', noteId}
`;

/**
 * Ends a conversation and starts its retention clock on every key it owns. The address
 * hash leaves the conversation: it is kept apart for ${ADDRESS_AFTER_END_MS / 60_000} minutes,
 * so that the conversation can still be blocked, then expires.
 * ARGV: prefix, convId, reason, now, retentionMs, expected operatorId ('' = any).
 * Returns {status, previousState, operatorId}.
 */
export const endLua = `${common}
local id = ARGV[2]
local k = ckey(id)
local c = redis.call('HMGET', k, 'state', 'operatorId', 'resumeKey', 'returnKey', 'language', 'addr')
if not c[1] then return {'not_found'} end
if c[1] == 'ended' then return {'already', 'ended', c[2] or ''} end
if ARGV[6] ~= '' and c[2] ~= ARGV[6] then return {'forbidden'} end
unqueue(id, c[5])
redis.call('SREM', P .. ':active', id)
if c[2] then redis.call('SREM', P .. ':op:' .. c[2] .. ':convs', id) end
if c[6] and c[6] ~= '' then
  redis.call('SREM', P .. ':open:' .. c[6], id)
  redis.call('SET', k .. ':addr', c[6], 'PX', ${ADDRESS_AFTER_END_MS})
end
redis.call('HSET', k, 'state', 'ended', 'endedAt', ARGV[4], 'endReason', ARGV[3], 'away', '', 'held', '')
redis.call('HDEL', k, 'addr')
local ttl = tonumber(ARGV[5])
for _, key in ipairs({ k, k .. ':msgs', k .. ':cmids', k .. ':notes' }) do redis.call('PEXPIRE', key, ttl) end
if c[3] then redis.call('PEXPIRE', c[3], ttl) end
if c[4] then redis.call('DEL', c[4]) end
return {'ok', c[1], c[2] or ''}
`;

/**
 * Resumes by token: the old token hash is consumed and a new one stored, atomically.
 * Several candidate keys can be given for the old token (the hash under today's key, then
 * under release 1's keys); the first that exists is used.
 * ARGV: prefix, newKey, oldKey... Returns {status, convId}.
 */
export const rotateTokenLua = `${common}
local id = nil
for i = 3, #ARGV do
  id = redis.call('GET', ARGV[i])
  if id then redis.call('DEL', ARGV[i]); break end
end
if not id then return {'not_found'} end
local k = ckey(id)
if redis.call('EXISTS', k) == 0 then return {'not_found'} end
redis.call('SET', ARGV[2], id)
local ttl = redis.call('PTTL', k)
if ttl > 0 then redis.call('PEXPIRE', ARGV[2], ttl) end
redis.call('HSET', k, 'resumeKey', ARGV[2])
return {'ok', id}
`;

/**
 * Resumes by return code, with the address's failures counted in the same step, so that
 * parallel guesses cannot slip past the limit. Past \`freeFailures\` failures in the window,
 * each further attempt must wait a delay that doubles per failure, up to \`maxDelayMs\`; an
 * attempt inside the delay is refused without being looked at or counted, so a right code
 * is never kept out longer than \`maxDelayMs\`. A success does not reset the count (an
 * attacker could redeem a code of his own to do so).
 * On success the code is consumed, a new resume token and a new code (the first free of the
 * candidates, claimed with NX) are stored, and \`vfloor\` records the newest message: nothing
 * up to it is ever sent to this visitor again.
 * KEYS: the throttle hash. ARGV: prefix, now, windowMs, freeFailures, maxDelayMs, newResumeKey,
 * number of code keys n, code key 1..n (today's hash, then release 1's), new code key candidates...
 * Returns {'ok', convId, vfloor, index of the new code} | {'rate_limited', retryMs} | {'not_found'} | {'clash'}.
 */
export const redeemReturnCodeLua = `${common}
local now = tonumber(ARGV[2])
local t = redis.call('HMGET', KEYS[1], 'n', 'until')
local untilMs = tonumber(t[2] or '0')
if untilMs > now then return {'rate_limited', tostring(untilMs - now)} end
local n = tonumber(ARGV[7])
local id, codeKey = nil, nil
for i = 8, 7 + n do
  id = redis.call('GET', ARGV[i])
  if id then codeKey = ARGV[i]; break end
end
local c = nil
if id then c = redis.call('HMGET', ckey(id), 'state', 'away', 'returnUntil', 'resumeKey', 'vfloor') end
if not id or c[1] == false or c[1] == 'ended' or c[2] == false or c[2] == '' or tonumber(c[3] or '0') < now then
  local failures = redis.call('HINCRBY', KEYS[1], 'n', 1)
  if failures == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[3]) end
  local free = tonumber(ARGV[4])
  if failures >= free then
    local delay = math.min(tonumber(ARGV[5]), 1000 * math.pow(2, failures - free))
    redis.call('HSET', KEYS[1], 'until', tostring(now + delay))
    if redis.call('PTTL', KEYS[1]) < delay then redis.call('PEXPIRE', KEYS[1], delay) end
  end
  return {'not_found'}
end
local newIndex = nil
for i = 8 + n, #ARGV do
  if redis.call('SET', ARGV[i], id, 'NX') then newIndex = i - 7 - n; break end
end
if not newIndex then return {'clash'} end
redis.call('DEL', codeKey)
if c[4] then redis.call('DEL', c[4]) end
redis.call('SET', ARGV[6], id)
local k = ckey(id)
local newest = redis.call('XREVRANGE', k .. ':msgs', '+', '-', 'COUNT', 1)
local floor = c[5] or ''
if newest[1] then floor = newest[1][1] end
redis.call('HSET', k, 'resumeKey', ARGV[6], 'returnKey', ARGV[7 + n + newIndex], 'vfloor', floor)
return {'ok', id, floor, tostring(newIndex)}
`;

/**
 * Holds a waiting conversation whose visitor has been gone too long out of routing,
 * positions and the snapshot, keeping its score (its place in line).
 * ARGV: prefix, convId. Returns {status}.
 */
export const holdWaiterLua = `${common}
local id = ARGV[2]
local c = redis.call('HMGET', ckey(id), 'state', 'away', 'language')
redis.call('ZREM', P .. ':waiting-away', id)
if c[1] ~= 'waiting' or not c[2] or c[2] == '' then return {'skip'} end
local s = redis.call('ZSCORE', wkey(c[3]), id)
if not s then return {'skip'} end
redis.call('ZREM', wkey(c[3]), id)
redis.call('ZADD', P .. ':held', s, id)
redis.call('HSET', ckey(id), 'held', '1')
return {'held'}
`;

/**
 * The visitor of a held (or away) waiting conversation is back: it returns to its place.
 * ARGV: prefix, convId. Returns {status}.
 */
export const unholdWaiterLua = `${common}
local id = ARGV[2]
redis.call('ZREM', P .. ':waiting-away', id)
local s = redis.call('ZSCORE', P .. ':held', id)
if not s then return {'not_held'} end
redis.call('ZREM', P .. ':held', id)
redis.call('HSET', ckey(id), 'held', '')
local c = redis.call('HMGET', ckey(id), 'state', 'language')
if c[1] == 'waiting' then redis.call('ZADD', wkey(c[2]), s, id) end
return {'back'}
`;

/**
 * Moves conversations from release 1's single \`waiting\` set into the per-language sets,
 * keeping their scores. ARGV: prefix. Returns the number moved.
 */
export const migrateWaitingLua = `${common}
local legacy = P .. ':waiting'
local moved = 0
local z = redis.call('ZRANGE', legacy, 0, 499, 'WITHSCORES')
for i = 1, #z, 2 do
  local c = redis.call('HMGET', ckey(z[i]), 'state', 'language')
  if c[1] == 'waiting' and c[2] then
    redis.call('ZADD', wkey(c[2]), z[i + 1], z[i])
    moved = moved + 1
  end
  redis.call('ZREM', legacy, z[i])
end
return moved
`;

/**
 * The visitor left (quick exit) or dropped: the conversation is away and resumable for
 * the return window. A waiting one is indexed in `waiting-away`, to be held out of routing
 * once its visitor has been gone too long.
 * ARGV: prefix, convId, reason, now, returnUntil. Returns {state, operatorId} ({} when ended or gone).
 */
export const markAwayLua = `${common}
local id, now = ARGV[2], ARGV[4]
local k = ckey(id)
local c = redis.call('HMGET', k, 'state', 'operatorId')
if not c[1] or c[1] == 'ended' then return {} end
redis.call('HSET', k, 'away', ARGV[3], 'awaySince', now, 'returnUntil', ARGV[5], 'vsock', '')
if c[1] == 'waiting' then redis.call('ZADD', P .. ':waiting-away', now, id) end
return {c[1], c[2] or ''}
`;
