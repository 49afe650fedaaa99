/**
 * Lua scripts: every state change of a conversation happens in one atomic script, so
 * two operators, two instances or a worker can never half-apply a transition. Keys
 * derived inside a script from the prefix are fine on a single Redis (or Sentinel);
 * they would need hash tags on Redis Cluster.
 *
 * Conversation hash fields: state, role, language, urgent (0/1), waitingSince (ms),
 * assignedAt (ms), operatorId, operatorName, tags (JSON), away (''|reason),
 * awaySince (ms), returnUntil (ms), endedAt (ms), endReason, vsock, lastVisitorAt.
 */

import { EWMA_ALPHA } from '@stille-lijn/shared/domain/wait';

/** The routing score: urgent before the rest, then the earliest waitingSince. */
export const URGENT_OFFSET = 10_000_000_000_000;

const common = /* lua */ `
local P = ARGV[1]
local function ckey(id) return P .. ':conv:' .. id end
local function score(urgent, since) if urgent == '1' then return tonumber(since) end return ${URGENT_OFFSET} + tonumber(since) end
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
`;

/**
 * Appends a message with idempotency on the client message id.
 * KEYS: conv hash, msgs stream, cmids hash. ARGV: prefix, from (v|o|s), operatorId, cipher, cmid, now.
 * Returns {status, messageId, operatorId, state}.
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
local id = redis.call('XADD', KEYS[2], '*', 'f', ARGV[2], 'o', ARGV[3], 'c', ARGV[4])
if ARGV[5] ~= '' then redis.call('HSET', KEYS[3], ARGV[5], id) end
if ARGV[2] == 'v' then redis.call('HSET', KEYS[1], 'lastVisitorAt', ARGV[6]) end
return {'ok', id, op, state, redis.call('HGET', KEYS[1], 'watchers') or '0'}
`;

/**
 * One routing pass: gives each waiting conversation, in routing order, to the least
 * loaded available operator with free capacity who speaks its language.
 * KEYS: none. ARGV: prefix, now, scanLimit, day (YYYY-MM-DD). Returns a flat list of
 * [convId, operatorId, waitingSince, operatorName, operatorLoad].
 */
export const routePassLua = `${common}
local now = ARGV[2]
local avail = redis.call('SMEMBERS', P .. ':route:available')
if #avail == 0 then return {} end
local ops = {}
local free = 0
for _, id in ipairs(avail) do
  local info = redis.call('HMGET', P .. ':route:op:' .. id, 'status', 'langs', 'cap', 'name')
  if info[1] == 'available' then
    local load = redis.call('SCARD', P .. ':op:' .. id .. ':convs')
    local cap = tonumber(info[3]) or 0
    if load < cap then
      local langs = {}
      for l in string.gmatch(info[2] or '', '[^,]+') do langs[l] = true end
      table.insert(ops, { id = id, load = load, cap = cap, langs = langs, name = info[4] or '' })
      free = free + (cap - load)
    end
  end
end
if free == 0 then return {} end
local waiting = redis.call('ZRANGE', P .. ':waiting', 0, tonumber(ARGV[3]) - 1)
local out = {}
for _, cid in ipairs(waiting) do
  if free == 0 then break end
  local c = redis.call('HMGET', ckey(cid), 'language', 'waitingSince', 'state')
  if c[3] == 'waiting' then
    local best = nil
    for _, o in ipairs(ops) do
      if o.load < o.cap and o.langs[c[1]] and (best == nil or o.load < best.load) then best = o end
    end
    if best then
      redis.call('ZREM', P .. ':waiting', cid)
      redis.call('HSET', ckey(cid), 'state', 'active', 'operatorId', best.id, 'operatorName', best.name, 'assignedAt', now)
      redis.call('SADD', P .. ':op:' .. best.id .. ':convs', cid)
      redis.call('SADD', P .. ':active', cid)
      best.load = best.load + 1
      free = free - 1
      recordWait(now, c[2], ARGV[4])
      table.insert(out, cid)
      table.insert(out, best.id)
      table.insert(out, c[2])
      table.insert(out, best.name)
      table.insert(out, tostring(best.load))
    end
  elseif c[3] ~= 'waiting' then
    -- A stale entry (ended or assigned elsewhere) never blocks the queue.
    redis.call('ZREM', P .. ':waiting', cid)
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
local state = redis.call('HGET', k, 'state')
if not state then return {'not_found'} end
if state ~= 'waiting' then return {'conflict'} end
if redis.call('SCARD', P .. ':op:' .. ARGV[3] .. ':convs') >= tonumber(ARGV[5]) then return {'full'} end
redis.call('ZREM', P .. ':waiting', ARGV[2])
redis.call('HSET', k, 'state', 'active', 'operatorId', ARGV[3], 'operatorName', ARGV[4], 'assignedAt', ARGV[6])
redis.call('SADD', P .. ':op:' .. ARGV[3] .. ':convs', ARGV[2])
redis.call('SADD', P .. ':active', ARGV[2])
local since = redis.call('HGET', k, 'waitingSince')
recordWait(ARGV[6], since, ARGV[7])
return {'ok', since}
`;

/**
 * Returns an active conversation to the queue, keeping its original waitingSince.
 * ARGV: prefix, convId, expected operatorId ('' = any), optional encrypted hand-over note
 * (stored only when the move happens, written by the expected operator).
 * Returns {status, operatorId, noteId?}.
 */
export const requeueLua = `${common}
local k = ckey(ARGV[2])
local c = redis.call('HMGET', k, 'state', 'operatorId', 'urgent', 'waitingSince')
if c[1] ~= 'active' then return {'conflict'} end
if ARGV[3] ~= '' and c[2] ~= ARGV[3] then return {'forbidden'} end
local noteId = ''
if ARGV[4] and ARGV[4] ~= '' then noteId = redis.call('XADD', k .. ':notes', '*', 'o', c[2], 'c', ARGV[4]) end
redis.call('HSET', k, 'state', 'waiting')
redis.call('HDEL', k, 'operatorId', 'operatorName', 'assignedAt')
redis.call('SREM', P .. ':op:' .. c[2] .. ':convs', ARGV[2])
redis.call('SREM', P .. ':active', ARGV[2])
redis.call('ZADD', P .. ':waiting', score(c[3], c[4]), ARGV[2])
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
 * Ends a conversation and starts its retention clock on every key it owns.
 * ARGV: prefix, convId, reason, now, retentionMs, expected operatorId ('' = any).
 * Returns {status, previousState, operatorId}.
 */
export const endLua = `${common}
local id = ARGV[2]
local k = ckey(id)
local c = redis.call('HMGET', k, 'state', 'operatorId', 'resumeKey', 'returnKey')
if not c[1] then return {'not_found'} end
if c[1] == 'ended' then return {'already', 'ended', c[2] or ''} end
if ARGV[6] ~= '' and c[2] ~= ARGV[6] then return {'forbidden'} end
redis.call('ZREM', P .. ':waiting', id)
redis.call('SREM', P .. ':active', id)
if c[2] then redis.call('SREM', P .. ':op:' .. c[2] .. ':convs', id) end
redis.call('HSET', k, 'state', 'ended', 'endedAt', ARGV[4], 'endReason', ARGV[3], 'away', '')
local ttl = tonumber(ARGV[5])
for _, key in ipairs({ k, k .. ':msgs', k .. ':cmids', k .. ':notes' }) do redis.call('PEXPIRE', key, ttl) end
if c[3] then redis.call('PEXPIRE', c[3], ttl) end
if c[4] then redis.call('DEL', c[4]) end
return {'ok', c[1], c[2] or ''}
`;

/**
 * Resumes by token: the old token hash is consumed and a new one stored, atomically.
 * ARGV: prefix, oldKey, newKey. Returns {status, convId}.
 */
export const rotateTokenLua = `${common}
local id = redis.call('GET', ARGV[2])
if not id then return {'not_found'} end
redis.call('DEL', ARGV[2])
local k = ckey(id)
if redis.call('EXISTS', k) == 0 then return {'not_found'} end
redis.call('SET', ARGV[3], id)
local ttl = redis.call('PTTL', k)
if ttl > 0 then redis.call('PEXPIRE', ARGV[3], ttl) end
redis.call('HSET', k, 'resumeKey', ARGV[3])
return {'ok', id}
`;

/**
 * Resumes by return code: valid once, only while the visitor is away and the window open.
 * ARGV: prefix, codeKey, now, newResumeKey, newCodeKey. Returns {status, convId}.
 */
export const redeemReturnCodeLua = `${common}
local id = redis.call('GET', ARGV[2])
if not id then return {'not_found'} end
local k = ckey(id)
local c = redis.call('HMGET', k, 'state', 'away', 'returnUntil', 'resumeKey')
if c[1] == false or c[1] == 'ended' then return {'not_found'} end
if c[2] == false or c[2] == '' or tonumber(c[3] or '0') < tonumber(ARGV[3]) then return {'not_found'} end
redis.call('DEL', ARGV[2])
if c[4] then redis.call('DEL', c[4]) end
redis.call('SET', ARGV[4], id)
redis.call('SET', ARGV[5], id)
redis.call('HSET', k, 'resumeKey', ARGV[4], 'returnKey', ARGV[5])
return {'ok', id}
`;
