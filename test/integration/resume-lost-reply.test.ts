/**
 * A resume whose script ran in Redis but whose reply was lost with the connection (a
 * failover, a network cut): ioredis sends the unanswered command again once it has
 * reconnected, and that second run finds the old token (or the code) spent by the first.
 * The first run's rotation must still be hers: the record says whether it was. The reply is
 * lost by a proxy between the server and a real Redis.
 */
import { Redis } from 'ioredis';
import { afterEach, describe, expect, inject, it, vi } from 'vitest';
import { Credentials } from '../../server/src/conversations/index.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { connectVisitor, emitAck, type VisitorSocket, waitFor } from '../support/clients.ts';
import { type RedisProxy, startRedisProxy } from '../support/redis-proxy.ts';

type AnyAck = { ok: boolean; error?: { code: string; reason?: string }; [k: string]: unknown };

let t: TestApp | undefined;
let proxy: RedisProxy | undefined;
let direct: Redis | undefined;
const sockets: VisitorSocket[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  for (const s of sockets.splice(0)) s.disconnect();
  await t?.close();
  await proxy?.close();
  direct?.disconnect();
  t = undefined;
  proxy = undefined;
  direct = undefined;
});

async function setup() {
  const redisUrl = new URL(inject('redisUrl'));
  proxy = await startRedisProxy({ host: redisUrl.hostname, port: Number(redisUrl.port) });
  direct = new Redis(inject('redisUrl'));
  t = await startTestApp({ REDIS_URL: proxy.url, WORKERS: 'none' });
  return { t, proxy, direct };
}

async function visitor(url: string): Promise<VisitorSocket> {
  const v = await connectVisitor(url);
  sockets.push(v);
  return v;
}

/** The next resume's script runs, but its reply (and whatever else is unanswered) is lost. */
function loseTheScriptsReply(p: RedisProxy): void {
  // The new token's key is made right before the script is sent, in the same tick.
  const real = Credentials.prototype.tokenKey;
  vi.spyOn(Credentials.prototype, 'tokenKey').mockImplementationOnce(function (this: Credentials, token) {
    p.loseReplies();
    return real.call(this, token);
  });
}

describe('a resume whose script reply was lost and that was sent again', () => {
  it('by token: she is back, with the new token; the old one works nowhere', async () => {
    const { t, proxy, direct } = await setup();
    const v0 = await visitor(t.url);
    const start = await emitAck<AnyAck>(v0, 'chat:start', { role: 'victim', language: 'nl', text: 'help' });
    const id = String(start.conversationId);
    const token = String(start.resumeToken);
    v0.disconnect();
    const conv = t.app.keys.conversation(id);
    const before = await direct.hget(conv, 'resumeKey');

    const v = await visitor(t.url);
    loseTheScriptsReply(proxy);
    const resuming = emitAck<AnyAck>(v, 'chat:resume', { resumeToken: token });
    await waitFor(async () => (await direct.hget(conv, 'resumeKey')) !== before, 5000);
    proxy.cut();
    const ack = await resuming;
    expect(ack).toMatchObject({ ok: true, conversationId: id, state: 'waiting' });
    expect((ack.missed as { text: string }[]).map((m) => m.text)).toEqual(['help']);
    // The token she was given is the live one; the old one is spent.
    expect(
      await emitAck<AnyAck>(await visitor(t.url), 'chat:resume', { resumeToken: String(ack.resumeToken) }),
    ).toMatchObject({ ok: true, conversationId: id });
    expect(await emitAck<AnyAck>(await visitor(t.url), 'chat:resume', { resumeToken: token })).toMatchObject({
      ok: false,
      error: { reason: 'not_resumable' },
    });
  });

  for (const meanwhile of ['nothing', 'a throttle delay began'] as const) {
    it(`by return code (${meanwhile} before it was sent again): she is back, with the new code`, async () => {
      const { t, proxy, direct } = await setup();
      const v0 = await visitor(t.url);
      const start = await emitAck<AnyAck>(v0, 'chat:start', { role: 'victim', language: 'nl', text: 'help' });
      const id = String(start.conversationId);
      expect((await emitAck<AnyAck>(v0, 'chat:leave', { reason: 'quick-exit' })).ok).toBe(true);
      v0.disconnect();
      const conv = t.app.keys.conversation(id);
      const before = await direct.hget(conv, 'returnKey');

      const v = await visitor(t.url);
      loseTheScriptsReply(proxy);
      const returning = emitAck<AnyAck>(v, 'chat:resume', { returnCode: String(start.returnCode) });
      await waitFor(async () => (await direct.hget(conv, 'returnKey')) !== before, 5000);
      // Someone's failures elsewhere make every attempt wait, the resent one included.
      if (meanwhile !== 'nothing')
        await direct.hset(t.app.keys.returnCodeGlobalThrottle, 'until', String(Date.now() + 30_000));
      proxy.cut();
      const ack = await returning;
      expect(ack).toMatchObject({ ok: true, conversationId: id });
      expect(ack.returnCode).toMatch(/^[A-Z]+-\d{5}-[A-Z]+$/);
      expect(ack.returnCode).not.toBe(start.returnCode);
      // The new code is the one stored for the conversation.
      expect(await direct.hget(conv, 'returnKey')).not.toBe(before);
    });
  }
});
