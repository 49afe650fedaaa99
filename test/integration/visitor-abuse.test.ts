/**
 * Issue 8: the perpetrator with the victim's phone and the troll with a script, against
 * the visitor contract (PROTOCOL.md, "Limits a visitor meets"). Client addresses come
 * from X-Forwarded-For behind one trusted proxy hop, as in production behind nginx.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';
import {
  collect,
  connectOperator,
  connectVisitor,
  createOperator,
  emitAck,
  nextEvent,
  type VisitorSocket,
  waitFor,
} from '../support/clients.ts';

type AnyAck = {
  ok: boolean;
  error?: { code: string; reason?: string; retryAfterSeconds?: number };
  retryAfterSeconds?: number;
  [k: string]: unknown;
};
type Msg = { messageId: string; text: string; from: string };

let t: TestApp;
const sockets: { disconnect(): unknown }[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.disconnect();
  await t?.close();
});

async function start(env: Record<string, string> = {}): Promise<TestApp> {
  t = await startTestApp({ TRUST_PROXY: '1', ...env });
  return t;
}
/** A visitor seen by our proxy at `address`; `written` is what the client itself put in the header. */
async function visitorAt(address: string, written = '203.0.113.250'): Promise<VisitorSocket> {
  const v = await connectVisitor(t.url, { forwardedFor: `${written}, ${address}` });
  sockets.push(v);
  return v;
}
async function operator(opts: Parameters<typeof createOperator>[1] = {}) {
  const acct = await createOperator(t, opts);
  const s = await connectOperator(t.url, acct.cookie);
  sockets.push(s);
  return { acct, s };
}
const startChat = (v: VisitorSocket, extra: Record<string, unknown> = {}) =>
  emitAck<AnyAck>(v, 'chat:start', { role: 'victim', language: 'nl', ...extra });

describe('a return code shows nothing of the past', () => {
  it('never sends what was said before the redemption, in that ack or in any later token resume', async () => {
    await start({ RETURN_WINDOW_MIN: '5' });
    const victim = await visitorAt('198.51.100.10');
    const s = await startChat(victim, { text: 'Hij slaat me.' });
    const { s: op } = await operator();
    const assigned = nextEvent(op, 'chat:assigned');
    await emitAck(op, 'operator:status', { status: 'available' });
    await assigned;
    const cid = String(s.conversationId);
    await emitAck(op, 'chat:message', { conversationId: cid, clientMessageId: 'o1', text: 'Ben je veilig?' });
    await emitAck(victim, 'chat:message', { clientMessageId: 'v1', text: 'Hij heeft mijn telefoon soms.' });
    await emitAck(victim, 'chat:leave', { reason: 'quick-exit' });
    victim.disconnect();

    // He finds the code on a note and redeems it from his own phone.
    const him = await visitorAt('198.51.100.77');
    const redeemed = await emitAck<AnyAck>(him, 'chat:resume', { returnCode: String(s.returnCode) });
    expect(redeemed.ok).toBe(true);
    expect(redeemed.missed).toBeUndefined();
    const floor = String(redeemed.lastMessageId);

    // Every way of asking for history with the new token shows nothing from before.
    const byToken = await visitorAt('198.51.100.77');
    const r1 = await emitAck<AnyAck>(byToken, 'chat:resume', { resumeToken: String(redeemed.resumeToken) });
    expect(r1.ok).toBe(true);
    expect(r1.missed).toEqual([]);
    const r2 = await emitAck<AnyAck>(byToken, 'chat:resume', {
      resumeToken: String(r1.resumeToken),
      lastMessageId: '0-1',
    });
    expect(r2.missed).toEqual([]);
    const r3 = await emitAck<AnyAck>(byToken, 'chat:resume', {
      resumeToken: String(r2.resumeToken),
      lastMessageId: 'not-a-stream-id',
    });
    expect(r3.missed).toEqual([]);

    // What is said after the redemption does reach him; nothing from before ever does.
    await emitAck(op, 'chat:message', { conversationId: cid, clientMessageId: 'o2', text: 'Wie is daar?' });
    const r4 = await emitAck<AnyAck>(byToken, 'chat:resume', { resumeToken: String(r3.resumeToken) });
    expect((r4.missed as Msg[]).map((m) => m.text)).toEqual(['Wie is daar?']);
    const texts = [r1, r2, r3, r4].flatMap((r) => (r.missed as Msg[]).map((m) => m.text));
    for (const said of ['Hij slaat me.', 'Ben je veilig?', 'Hij heeft mijn telefoon soms.'])
      expect(texts).not.toContain(said);
    expect(floor).toMatch(/^\d+-\d+$/);
  });
});

describe('return codes cannot be guessed', () => {
  it('counts 40 parallel wrong codes atomically: 10 are looked at, the rest wait', async () => {
    await start();
    const guesser = await visitorAt('198.51.100.20');
    const acks = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        emitAck<AnyAck>(guesser, 'chat:resume', { returnCode: `ZON-${String(10000 + i)}-TULP` }),
      ),
    );
    const codes = acks.map((a) => a.error?.code);
    expect(codes.filter((c) => c === 'not_found')).toHaveLength(10);
    expect(codes.filter((c) => c === 'rate_limited')).toHaveLength(30);
    for (const a of acks.filter((x) => x.error?.code === 'rate_limited')) {
      expect(a.error?.retryAfterSeconds).toBeGreaterThanOrEqual(1);
      expect(a.error?.retryAfterSeconds).toBeLessThanOrEqual(60);
      expect(a.retryAfterSeconds).toBe(a.error?.retryAfterSeconds);
    }
  });

  it('counts the address the proxy saw, never the one the client wrote; IPv6 per /64, IPv4-mapped as IPv4', async () => {
    await start();
    const burn = async (address: string, written: string) => {
      const v = await visitorAt(address, written);
      for (let i = 0; i < 10; i++) await emitAck(v, 'chat:resume', { returnCode: `MAAN-${10000 + i}-ROOS` });
    };
    const tryOnce = async (address: string, written = '192.0.2.1') =>
      (
        await emitAck<AnyAck>(await visitorAt(address, written), 'chat:resume', {
          returnCode: 'MAAN-99999-ROOS',
        })
      ).error?.code;

    await burn('198.51.100.30', '10.9.9.1');
    // Writing another leftmost address changes nothing.
    expect(await tryOnce('198.51.100.30', '10.9.9.2')).toBe('rate_limited');
    // Another client is not held back by him.
    expect(await tryOnce('198.51.100.31')).toBe('not_found');

    await burn('2001:db8:1:2::1', '10.9.9.1');
    expect(await tryOnce('2001:db8:1:2:ffff::9')).toBe('rate_limited'); // same /64
    expect(await tryOnce('2001:db8:1:3::1')).toBe('not_found'); // next /64

    await burn('::ffff:198.51.100.40', '10.9.9.1');
    expect(await tryOnce('198.51.100.40')).toBe('rate_limited');
  });

  it('keeps the right code out at most 60 s however long the guessing went on, and waits do not add up', async () => {
    await start({ RETURN_WINDOW_MIN: '5' });
    const victim = await visitorAt('198.51.100.50');
    const s = await startChat(victim);
    await emitAck(victim, 'chat:leave', { reason: 'quick-exit' });
    // Forty failures from her network already (he shares her Wi-Fi).
    const throttle = t.app.key('throttle', 'return-code', t.app.cipher.keyedHash('198.51.100.50', 'ip'));
    await t.app.redis.hset(throttle, { n: '39', until: '0' });
    const her = await visitorAt('198.51.100.50');
    const wrong = await emitAck<AnyAck>(her, 'chat:resume', { returnCode: 'ZON-00000-ZON' });
    expect(wrong.error?.code).toBe('not_found');
    const waits: number[] = [];
    for (let i = 0; i < 5; i++) {
      const a = await emitAck<AnyAck>(her, 'chat:resume', { returnCode: String(s.returnCode) });
      expect(a.error?.code).toBe('rate_limited');
      waits.push(a.error?.retryAfterSeconds ?? 0);
    }
    expect(Math.max(...waits)).toBeLessThanOrEqual(60);
    expect(waits[4]).toBeLessThanOrEqual(waits[0]!); // refused attempts do not push the wait further
    // Once the wait is over, the right code is looked at and works.
    await t.app.redis.hset(throttle, 'until', String(Date.now() - 1));
    const back = await emitAck<AnyAck>(her, 'chat:resume', { returnCode: String(s.returnCode) });
    expect(back.ok).toBe(true);
  });

  it("a redeemed code never takes another conversation's live code as its new one", async () => {
    await start({ RETURN_WINDOW_MIN: '5' });
    const a = await visitorAt('198.51.100.60');
    const sa = await startChat(a);
    await emitAck(a, 'chat:leave', { reason: 'quick-exit' });
    const b = await visitorAt('198.51.100.61');
    const sb = await startChat(b);
    await emitAck(b, 'chat:leave', { reason: 'quick-exit' });
    const codeKey = (code: string) =>
      t.app.key('return', t.app.cipher.keyedHash(code.toUpperCase().replace(/[^A-Z0-9]/g, ''), 'return'));
    // B redeems; whatever new code B draws, A's code must keep pointing at A.
    const rb = await emitAck<AnyAck>(await visitorAt('198.51.100.61'), 'chat:resume', {
      returnCode: String(sb.returnCode),
    });
    expect(rb.ok).toBe(true);
    expect(rb.returnCode).not.toBe(sa.returnCode);
    expect(await t.app.redis.get(codeKey(String(sa.returnCode)))).toBe(sa.conversationId);
    expect(await t.app.redis.get(codeKey(String(rb.returnCode)))).toBe(sb.conversationId);
    // And the old code of B is gone.
    expect(await t.app.redis.get(codeKey(String(sb.returnCode)))).toBeNull();
  });
});

describe('no anonymous client can stall routing or fill Redis', () => {
  it('creates exactly one conversation for ten chat:start sent at once on one socket', async () => {
    await start();
    const v = await visitorAt('198.51.100.70');
    const acks = await Promise.all(Array.from({ length: 10 }, () => startChat(v)));
    expect(acks.filter((a) => a.ok)).toHaveLength(1);
    expect(acks.filter((a) => a.error?.code === 'conflict')).toHaveLength(9);
    const convs = await t.app.redis.keys(`${t.config.redisPrefix}:conv:*`);
    expect(convs.filter((k) => !k.includes(':', k.indexOf(':conv:') + 6))).toHaveLength(1);
  });

  it('takes a repeated quick exit once: one return window, one expiry job, one notice to the operator', async () => {
    // A script that sends chat:leave 'quick-exit' over and over must neither keep its
    // conversation alive for ever (each leave moved returnUntil on) nor pile up delayed
    // jobs and notices.
    await start({ RETURN_WINDOW_MIN: '5' });
    const v = await visitorAt('198.51.100.40');
    const s = await startChat(v, { text: 'Hallo' });
    expect(s.ok).toBe(true);
    const conversationId = String(s.conversationId);
    const { s: op } = await operator();
    const assigned = nextEvent(op, 'chat:assigned');
    await emitAck(op, 'operator:status', { status: 'available' });
    await assigned;
    const notices = collect(op, 'chat:visitor-left');
    const key = t.app.keys.conversation(conversationId);

    expect((await emitAck<AnyAck>(v, 'chat:leave', { reason: 'quick-exit' })).ok).toBe(true);
    const returnUntil = await t.app.redis.hget(key, 'returnUntil');
    expect(Number(returnUntil)).toBeGreaterThan(Date.now());
    for (let i = 0; i < 10; i++) {
      await new Promise((r) => setTimeout(r, 5));
      expect((await emitAck<AnyAck>(v, 'chat:leave', { reason: 'quick-exit' })).ok).toBe(true);
    }
    expect(await t.app.redis.hget(key, 'returnUntil')).toBe(returnUntil);
    const expiries = (await t.app.queues.conversations.getDelayed()).filter(
      (j) => j.name === 'away-expire' && j.data.conversationId === conversationId,
    );
    expect(expiries).toHaveLength(1);
    await waitFor(() => notices.length > 0, 5000);
    await new Promise((r) => setTimeout(r, 200));
    expect(notices).toHaveLength(1);
  });

  it('limits open conversations per address (VISITOR_OPEN_PER_ADDRESS), on every socket at once', async () => {
    await start({ VISITOR_OPEN_PER_ADDRESS: '3' });
    const troll = await Promise.all(Array.from({ length: 8 }, () => visitorAt('198.51.100.80')));
    const acks = await Promise.all(troll.map((v) => startChat(v)));
    expect(acks.filter((a) => a.ok)).toHaveLength(3);
    const refused = acks.filter((a) => !a.ok);
    expect(refused).toHaveLength(5);
    for (const r of refused) expect(r.error).toMatchObject({ code: 'rate_limited', reason: 'open_limit' });
    // Someone else is not affected, and an ended conversation frees a place.
    expect((await startChat(await visitorAt('198.51.100.81'))).ok).toBe(true);
    const first = troll[acks.findIndex((a) => a.ok)]!;
    await emitAck(first, 'chat:leave', { reason: 'ended' });
    expect((await startChat(await visitorAt('198.51.100.80'))).ok).toBe(true);
    expect((await startChat(await visitorAt('198.51.100.80'))).ok).toBe(false);
  });

  it('limits conversations started per address in an hour (VISITOR_STARTS_PER_HOUR), ended ones included', async () => {
    // Ended conversations free their open place but are kept RETENTION_HOURS: a script
    // that starts and ends them in a loop would otherwise fill Redis.
    await start({ VISITOR_STARTS_PER_HOUR: '3' });
    const troll = await visitorAt('198.51.100.90');
    for (let i = 0; i < 3; i++) {
      expect((await startChat(troll, { text: 'x'.repeat(2000) })).ok).toBe(true);
      expect((await emitAck<AnyAck>(troll, 'chat:leave', { reason: 'ended' })).ok).toBe(true);
    }
    const refused = await startChat(troll, { text: 'x'.repeat(2000) });
    expect(refused.error).toMatchObject({ code: 'rate_limited', reason: 'start_limit' });
    expect(refused.error?.retryAfterSeconds).toBeGreaterThan(3500);
    expect(refused.error?.retryAfterSeconds).toBeLessThanOrEqual(3600);
    // A new socket from the same address is counted the same; another address is not.
    expect((await startChat(await visitorAt('198.51.100.90'))).error?.reason).toBe('start_limit');
    expect((await startChat(await visitorAt('198.51.100.91'))).ok).toBe(true);
    const convs = await t.app.redis.keys(`${t.config.redisPrefix}:conv:*`);
    expect(convs.filter((k) => !k.includes(':', k.indexOf(':conv:') + 6))).toHaveLength(4);
  });

  it('limits open conversations per network (VISITOR_OPEN_PER_NETWORK), across its /64s', async () => {
    // A free tunnel-broker /48 holds 65,536 /64s, each an address of its own: without a
    // count per network one troll queues thousands of urgent conversations ahead of hers.
    await start({ VISITOR_OPEN_PER_ADDRESS: '1', VISITOR_OPEN_PER_NETWORK: '4' });
    const troll = await Promise.all(
      Array.from({ length: 6 }, (_, i) => visitorAt(`2001:db8:48:${i + 1}::1`)),
    );
    const acks = await Promise.all(troll.map((v) => startChat(v, { urgent: true })));
    expect(acks.filter((a) => a.ok)).toHaveLength(4);
    for (const r of acks.filter((a) => !a.ok))
      expect(r.error).toMatchObject({ code: 'rate_limited', reason: 'open_limit' });
    // Another network is not affected, and an ended conversation frees the network's place.
    expect((await startChat(await visitorAt('2001:db8:49:1::1'))).ok).toBe(true);
    await emitAck(troll[acks.findIndex((a) => a.ok)]!, 'chat:leave', { reason: 'ended' });
    expect((await startChat(await visitorAt('2001:db8:48:99::1'))).ok).toBe(true);
    expect((await startChat(await visitorAt('2001:db8:48:9a::1'))).error?.reason).toBe('open_limit');
  });

  it('limits conversations started per network in an hour (VISITOR_STARTS_PER_NETWORK_HOUR)', async () => {
    await start({ VISITOR_STARTS_PER_HOUR: '1', VISITOR_STARTS_PER_NETWORK_HOUR: '3' });
    for (let i = 1; i <= 3; i++) {
      const v = await visitorAt(`198.51.100.${i}`);
      expect((await startChat(v)).ok).toBe(true);
      expect((await emitAck<AnyAck>(v, 'chat:leave', { reason: 'ended' })).ok).toBe(true);
    }
    // The same /24, another address: past the network's hour.
    const refused = await startChat(await visitorAt('198.51.100.77'));
    expect(refused.error).toMatchObject({ code: 'rate_limited', reason: 'start_limit' });
    expect(refused.error?.retryAfterSeconds).toBeGreaterThan(3500);
    expect((await startChat(await visitorAt('198.51.101.1'))).ok).toBe(true);
  });

  it('gives a free Dutch operator the Dutch victim behind 1,100 urgent conversations in Polish', async () => {
    await start();
    const svc = t.app.lifecycle;
    for (let i = 0; i < 1100; i++) {
      const troll = `troll-${i % 200}`;
      await svc.start({ role: 'victim', language: 'pl', urgent: true }, `s${i}`, troll, troll);
    }
    const dutch = await visitorAt('198.51.100.90');
    const s = await startChat(dutch, { text: 'Help' });
    const { s: op } = await operator({ languages: ['nl'] });
    const snapshot = await nextEvent<{ waiting: { conversationId: string }[] }>(op, 'queue:snapshot', {
      where: (p) => p.waiting.some((w) => w.conversationId === s.conversationId),
    });
    expect(snapshot.waiting.some((w) => w.conversationId === s.conversationId)).toBe(true);
    const assigned = nextEvent<{ conversation: { conversationId: string } }>(op, 'chat:assigned');
    await emitAck(op, 'operator:status', { status: 'available' });
    expect((await assigned).conversation.conversationId).toBe(s.conversationId);
  });

  it('holds a waiter gone longer than WAITER_HOLD_S out of routing, positions and the snapshot; back, it keeps its place', async () => {
    await start({ WAITER_HOLD_S: '1', RETURN_WINDOW_MIN: '5' });
    const first = await visitorAt('198.51.100.100');
    const s1 = await startChat(first);
    const second = await visitorAt('198.51.100.101');
    const s2 = await startChat(second);
    expect(s2.position).toBe(2);
    const positions = collect<{ position: number }>(second, 'queue:position');
    first.disconnect();
    const held = async () =>
      (await t.app.redis.zscore(t.app.key('held'), String(s1.conversationId))) !== null;
    await waitFor(held, 8000, 100);
    await waitFor(() => positions.some((p) => p.position === 1), 8000);
    expect((await t.app.queueView.waitingList()).map((w) => w.conversationId)).toEqual([s2.conversationId]);

    // An operator who becomes available gets the one who is still there.
    const { s: op } = await operator({ languages: ['nl'] });
    const assigned = nextEvent<{ conversation: { conversationId: string } }>(op, 'chat:assigned');
    await emitAck(op, 'operator:status', { status: 'available' });
    expect((await assigned).conversation.conversationId).toBe(s2.conversationId);
    await emitAck(op, 'operator:status', { status: 'away' });

    // A newcomer arrives; then the held visitor comes back and is ahead of the newcomer.
    const third = await visitorAt('198.51.100.102');
    const s3 = await startChat(third);
    const back = await visitorAt('198.51.100.100');
    const r = await emitAck<AnyAck>(back, 'chat:resume', { resumeToken: String(s1.resumeToken) });
    expect(r.ok).toBe(true);
    expect(r.position).toBe(1);
    expect((await t.app.queueView.waitingList()).map((w) => w.conversationId)).toEqual([
      s1.conversationId,
      s3.conversationId,
    ]);
  });

  it('caps messages while waiting (WAITING_MESSAGES, the start text included) and resets at assignment', async () => {
    await start({ WAITING_MESSAGES: '4' });
    const v = await visitorAt('198.51.100.110');
    const s = await startChat(v, { text: 'een' });
    for (const n of ['twee', 'drie', 'vier']) {
      expect((await emitAck<AnyAck>(v, 'chat:message', { clientMessageId: n, text: n })).ok).toBe(true);
    }
    const over = await emitAck<AnyAck>(v, 'chat:message', { clientMessageId: 'vijf', text: 'vijf' });
    expect(over.error).toMatchObject({ code: 'rate_limited', reason: 'waiting_messages' });
    // A resend of a stored message is still answered with its id.
    expect((await emitAck<AnyAck>(v, 'chat:message', { clientMessageId: 'vier', text: 'vier' })).ok).toBe(
      true,
    );
    const { s: op } = await operator();
    const assigned = nextEvent<{ messages: Msg[] }>(op, 'chat:assigned');
    await emitAck(op, 'operator:status', { status: 'available' });
    expect((await assigned).messages.map((m) => m.text)).toEqual(['een', 'twee', 'drie', 'vier']);
    for (let i = 0; i < 6; i++) {
      expect(
        (await emitAck<AnyAck>(v, 'chat:message', { clientMessageId: `a${i}`, text: `na ${i}` })).ok,
      ).toBe(true);
    }
    expect(s.ok).toBe(true);
  });

  it('caps the visitor text stored per conversation (CONVERSATION_MAX_KB), in UTF-8 bytes', async () => {
    await start({ CONVERSATION_MAX_KB: '8', WAITING_MESSAGES: '1000' });
    const v = await visitorAt('198.51.100.120');
    await startChat(v);
    const big = 'é'.repeat(1000); // 2,000 bytes
    for (let i = 0; i < 4; i++) {
      expect((await emitAck<AnyAck>(v, 'chat:message', { clientMessageId: `b${i}`, text: big })).ok).toBe(
        true,
      );
    }
    const full = await emitAck<AnyAck>(v, 'chat:message', { clientMessageId: 'b4', text: big });
    expect(full.error).toMatchObject({ code: 'too_large', reason: 'conversation_full' });
    expect((await emitAck<AnyAck>(v, 'chat:message', { clientMessageId: 'b3', text: big })).ok).toBe(true);
    const stored = await t.app.redis.xlen(`${t.config.redisPrefix}:conv:${await startChatId(v)}:msgs`);
    expect(stored).toBe(4);
  });

  it('caps the visitor messages stored per conversation (CONVERSATION_MAX_MESSAGES), however short', async () => {
    // One-character messages stay far under CONVERSATION_MAX_KB while each costs a stream
    // entry, two id fields and a decryption whenever the conversation is sent whole.
    await start({ CONVERSATION_MAX_MESSAGES: '10', WAITING_MESSAGES: '1000', SOCKET_EVENTS_PER_S: '1000' });
    const v = await visitorAt('198.51.100.125');
    await startChat(v);
    for (let i = 0; i < 10; i++) {
      expect((await emitAck<AnyAck>(v, 'chat:message', { clientMessageId: `s${i}`, text: 'x' })).ok).toBe(
        true,
      );
    }
    const full = await emitAck<AnyAck>(v, 'chat:message', { clientMessageId: 's10', text: 'x' });
    expect(full.error).toMatchObject({ code: 'too_large', reason: 'conversation_full' });
    // A resend of a stored one is still answered with its id.
    expect((await emitAck<AnyAck>(v, 'chat:message', { clientMessageId: 's9', text: 'x' })).ok).toBe(true);
    const stored = await t.app.redis.xlen(`${t.config.redisPrefix}:conv:${await startChatId(v)}:msgs`);
    expect(stored).toBe(10);
  });

  it("counts unknown events against the socket's event budget", async () => {
    await start({ SOCKET_EVENTS_PER_S: '5' });
    const v = await visitorAt('198.51.100.130');
    const acks = await Promise.all(
      Array.from({ length: 30 }, (_, i) => emitAck<AnyAck>(v, `bogus:${i}`, {})),
    );
    expect(acks.filter((a) => a.error?.code === 'unknown_event').length).toBeLessThanOrEqual(11);
    expect(acks.filter((a) => a.error?.code === 'rate_limited').length).toBeGreaterThanOrEqual(19);
    // The flood used the budget up: a real event right after waits its turn too.
    expect((await startChat(v)).error?.code).toBe('rate_limited');
  });

  it("keeps no completed BullMQ job, the sweep's included", async () => {
    await start();
    const q = t.app.queues.conversations;
    for (let i = 0; i < 20; i++) await q.add('route', { conversationId: `none-${i}` });
    await waitFor(async () => (await q.getJobCounts('wait', 'active', 'delayed')).wait === 0, 10_000, 100);
    // The sweep runs every 10 s; let two runs pass.
    await new Promise((r) => setTimeout(r, 21_000));
    const counts = await q.getJobCounts('completed', 'failed');
    expect(counts.completed).toBe(0);
    const schedulers = await q.getJobSchedulers();
    expect(schedulers.find((s) => s.key === 'sweep')?.template?.opts).toMatchObject({
      removeOnComplete: true,
    });
  }, 60_000);
});

/** The conversation id of a visitor socket, from the server's own record. */
async function startChatId(v: VisitorSocket): Promise<string> {
  const ids = await t.app.redis.keys(`${t.config.redisPrefix}:conv:*`);
  for (const k of ids) {
    const id = k.slice(k.indexOf(':conv:') + 6);
    if (id.includes(':')) continue;
    if ((await t.app.redis.hget(k, 'vsock')) === v.id) return id;
  }
  throw new Error('no conversation for this socket');
}
