import { UnrecoverableError } from 'bullmq';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { jobServices, sweep } from '../../server/src/routing/jobs.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import {
  connectOperator,
  connectVisitor,
  createOperator,
  emitAck,
  login,
  nextEvent,
  waitFor,
} from '../support/clients.ts';

type AnyAck = { ok: boolean; error?: { code: string }; [k: string]: unknown };

const SECRET_TEXTS = ['Mijn man slaat me', 'Hij staat voor de deur', 'Notitie: slachtoffer in gevaar'];

/** A whole conversation, login included, so that logs and Redis can be searched afterwards. */
async function wholeConversation(t: TestApp) {
  const acct = await createOperator(t, { displayName: 'Sanne Jansen' });
  // A wrong password too, so the failure path logs as well.
  await fetch(`${t.url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: acct.username, password: 'wrong-password-123' }),
  });
  const cookie = await login(t.url, acct.username, acct.password);
  const op = await connectOperator(t.url, cookie);
  const v = await connectVisitor(t.url);
  const start = await emitAck<AnyAck>(v, 'chat:start', {
    role: 'victim',
    language: 'nl',
    text: SECRET_TEXTS[0],
  });
  const assigned = nextEvent(op, 'chat:assigned');
  await emitAck(op, 'operator:status', { status: 'available' });
  await assigned;
  await emitAck(v, 'chat:message', { clientMessageId: 'm1', text: SECRET_TEXTS[1] });
  await emitAck(op, 'chat:note', { conversationId: start.conversationId, text: SECRET_TEXTS[2] });
  await emitAck(op, 'chat:message', {
    conversationId: start.conversationId,
    clientMessageId: 'o1',
    text: 'Ben je veilig?',
  });
  // Bad input and a failed resume also log.
  await emitAck(v, 'chat:message', { clientMessageId: 'bad', text: '' });
  const v2 = await connectVisitor(t.url);
  await emitAck(v2, 'chat:resume', { returnCode: 'NEP-11-CODE' });
  await emitAck(v, 'chat:leave', { reason: 'quick-exit' });
  v.disconnect();
  const v3 = await connectVisitor(t.url);
  const resumed = await emitAck<AnyAck>(v3, 'chat:resume', { returnCode: String(start.returnCode) });
  expect(resumed.ok).toBe(true);
  await emitAck(op, 'chat:end', { conversationId: start.conversationId });
  await fetch(`${t.url}/api/auth/logout`, { method: 'POST', headers: { cookie } });
  for (const s of [op, v2, v3]) s.disconnect();
  return { acct, cookie, start, resumed };
}

describe('privacy', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await startTestApp({ LOG_LEVEL: 'trace' });
  });
  afterEach(async () => {
    await t.close();
  });

  it('logs no message text, address, token, return code or password during a whole conversation', async () => {
    const { acct, cookie, start, resumed } = await wholeConversation(t);
    await new Promise((r) => setTimeout(r, 100));
    // The server's own listening address is not a visitor's; every other line is searched.
    const logs = t.logs.filter((l) => !l.includes('"msg":"Server listening at')).join('');
    expect(t.logs.length).toBeGreaterThan(10); // the capture works: there is something to search
    const forbidden = [
      ...SECRET_TEXTS,
      'Ben je veilig?',
      acct.password,
      'wrong-password-123',
      cookie.split('=')[1]!,
      String(start.resumeToken),
      String(start.returnCode),
      String(resumed.resumeToken),
      String(resumed.returnCode),
      '127.0.0.1',
      '::1',
      'NEP-11-CODE',
    ];
    for (const f of forbidden) expect(logs, `log contains ${f.slice(0, 12)}…`).not.toContain(f);
  });

  it('stores no message or note text, token or return code in plaintext in Redis', async () => {
    const { start } = await wholeConversation(t);
    const r = t.app.redis;
    const keys = await r.keys(`${t.config.redisPrefix}:*`);
    expect(keys.length).toBeGreaterThan(5);
    let dump = keys.join('\n');
    for (const k of keys) {
      const type = await r.type(k);
      if (type === 'string') dump += await r.get(k);
      else if (type === 'hash') dump += JSON.stringify(await r.hgetall(k));
      else if (type === 'stream') dump += JSON.stringify(await r.xrange(k, '-', '+'));
      else if (type === 'list') dump += JSON.stringify(await r.lrange(k, 0, -1));
      else if (type === 'set') dump += JSON.stringify(await r.smembers(k));
      else if (type === 'zset') dump += JSON.stringify(await r.zrange(k, 0, -1));
    }
    expect(dump).toContain('v2.t1.'); // ciphertexts carry their format and key id
    for (const f of [
      ...SECRET_TEXTS,
      'Ben je veilig?',
      String(start.resumeToken),
      String(start.returnCode),
      '127.0.0.1',
    ]) {
      expect(dump, `redis holds ${f.slice(0, 12)}…`).not.toContain(f);
    }
  });

  it('expires every key of a conversation after the retention period', async () => {
    await t.close();
    t = await startTestApp({ RETENTION_HOURS: '0.0003' }); // about a second
    const { start } = await wholeConversation(t);
    const prefix = `${t.config.redisPrefix}:conv:${start.conversationId}`;
    expect((await t.app.redis.keys(`${prefix}*`)).length).toBeGreaterThan(0);
    // Each expires by itself within the period, should the purge job fail: the address hash
    // that a block needs for an hour after the end too, when the period is shorter.
    for (const k of await t.app.redis.keys(`${prefix}*`)) {
      const ttl = await t.app.redis.pttl(k);
      expect(ttl, k).toBeGreaterThan(0);
      expect(ttl, k).toBeLessThanOrEqual(t.config.retentionMs);
    }
    await new Promise((r) => setTimeout(r, 1600));
    expect(await t.app.redis.keys(`${prefix}*`)).toEqual([]);
  });

  it('keeps no failed purge job, which would name the conversation for ever', async () => {
    await t.close();
    t = await startTestApp({ RETENTION_HOURS: '0.0003' }); // about a second
    const purge = vi
      .spyOn(t.app.lifecycle, 'purge')
      .mockRejectedValue(new UnrecoverableError('the purge failed'));
    const { start } = await wholeConversation(t);
    await waitFor(() => purge.mock.calls.length > 0, 10_000);
    await new Promise((r) => setTimeout(r, 300));
    const retention = t.app.queues.retention;
    expect(await retention.getJob(`purge-${start.conversationId}`)).toBeUndefined();
    expect(await retention.getFailedCount()).toBe(0);
    // Counted instead, for whoever watches the line.
    expect(await (await fetch(`${t.url}/metrics`)).text()).toMatch(/^sl_purges_failed_total 1$/m);
    // Its event stream, which names each job, is kept short, and the sweep empties it.
    expect(await t.app.redis.hget(`${t.config.redisPrefix}:retention:meta`, 'opts.maxLenEvents')).toBe('100');
    const events = `${t.config.redisPrefix}:retention:events`;
    expect(JSON.stringify(await t.app.redis.xrange(events, '-', '+'))).toContain(
      String(start.conversationId),
    );
    await sweep(jobServices(t.app));
    expect(await t.app.redis.xlen(events)).toBe(0);
    // Its content expires by itself all the same.
    const prefix = `${t.config.redisPrefix}:conv:${start.conversationId}`;
    await new Promise((r) => setTimeout(r, 1_200));
    expect(await t.app.redis.keys(`${prefix}*`)).toEqual([]);
  });
});
