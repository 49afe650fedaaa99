/**
 * Review finding V3, and the review of its fix: one address may hold only so many visitor
 * sockets without a conversation, whatever the per-minute connection rate allows; but the
 * cap must never lock a victim out (DESIGN.md: limits slow abusers down). Past the cap a
 * new socket takes the place of the oldest one without a conversation, which is closed,
 * on whichever instance holds it; a socket with a conversation neither counts nor is ever
 * closed for it; a socket that starts nothing is closed after VISITOR_IDLE_S. Addresses
 * come from X-Forwarded-For behind one trusted proxy hop, as in production behind nginx.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';
import { connectVisitor, emitAck, type VisitorSocket, waitFor } from '../support/clients.ts';

type AnyAck = { ok: boolean; error?: { code: string; reason?: string }; [k: string]: unknown };

const apps: TestApp[] = [];
const sockets: { disconnect(): unknown }[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.disconnect();
  for (const a of apps.splice(0)) await a.close();
});

const CAP = 3;

async function app(env: Record<string, string> = {}): Promise<TestApp> {
  const t = await startTestApp({ TRUST_PROXY: '1', VISITOR_SOCKETS_PER_ADDRESS: String(CAP), ...env });
  apps.push(t);
  return t;
}

/** A visitor socket from `address`, with how it was closed once it is (`disconnect` reason). */
async function visitorAt(t: TestApp, address: string): Promise<VisitorSocket & { closedBy?: string }> {
  const v: VisitorSocket & { closedBy?: string } = await connectVisitor(t.url, {
    forwardedFor: `203.0.113.250, ${address}`,
  });
  v.on('disconnect', (reason) => {
    v.closedBy = reason;
  });
  sockets.push(v);
  return v;
}

/** The live-socket entries of an address, oldest first. */
const counted = (t: TestApp, address: string) =>
  t.app.redis.zrange(t.app.keys.join('sockets', 'visitor', t.app.cipher.keyedHash(address, 'ip')), 0, -1);

const start = (v: VisitorSocket) => emitAck<AnyAck>(v, 'chat:start', { role: 'victim', language: 'nl' });

describe('live visitor sockets per address', () => {
  it('past the cap, her return by code gets in: the oldest idle socket of the address is closed instead', async () => {
    const t = await app();
    // The per-minute rate is not what this is about (the test app allows 100,000 a minute).
    expect(t.config.visitorConnectionsPerMin).toBeGreaterThan(100);
    // Her conversation, quick-exited earlier from home.
    const earlier = await visitorAt(t, '2001:db8:5:6::1');
    const s = await start(earlier);
    expect(s.ok).toBe(true);
    await emitAck(earlier, 'chat:leave', { reason: 'quick-exit' });
    earlier.disconnect();

    // He opens CAP idle sockets on the same Wi-Fi (same /64), and starts nothing.
    const idle: (VisitorSocket & { closedBy?: string })[] = [];
    for (let i = 1; i <= CAP; i++) idle.push(await visitorAt(t, `2001:db8:5:6::${10 + i}`));

    const her = await visitorAt(t, '2001:db8:5:6:ffff::9');
    const back = await emitAck<AnyAck>(her, 'chat:resume', { returnCode: String(s.returnCode) });
    expect(back).toMatchObject({ ok: true, conversationId: s.conversationId });
    // The oldest idle one made room; the others stay.
    await waitFor(() => idle[0]!.closedBy !== undefined);
    expect(idle[0]!.closedBy).toBe('io server disconnect');
    await sleep(200);
    expect(idle.slice(1).map((v) => v.connected)).toEqual([true, true]);
    expect(her.connected).toBe(true);
    // Other households are not touched by this one.
    const neighbour = await visitorAt(t, '2001:db8:5:7::1');
    expect(neighbour.connected).toBe(true);
  });

  it('a burst on her network never closes her new socket before her resume arrives; what lost its place closes soon', async () => {
    const t = await app();
    const address = '198.51.100.84';
    const s = await start(await visitorAt(t, address));
    expect(s.ok).toBe(true);
    // Her network blips; her socket connects, and before her resume reaches the server (one
    // round trip on a bad phone line) he opens more than the address's places, under the rate.
    const her = await visitorAt(t, address);
    const burst: (VisitorSocket & { closedBy?: string })[] = [];
    for (let i = 0; i <= CAP; i++) burst.push(await visitorAt(t, address));
    await sleep(300);
    expect(her.connected).toBe(true);
    const back = await emitAck<AnyAck>(her, 'chat:resume', { resumeToken: String(s.resumeToken) });
    expect(back).toMatchObject({ ok: true, conversationId: s.conversationId });
    // The cap still holds: the oldest of his that lost its place is closed a moment later.
    await waitFor(() => burst[0]!.closedBy !== undefined);
    expect(burst[0]!.closedBy).toBe('io server disconnect');
    expect(burst.slice(1).map((v) => v.connected)).toEqual([true, true, true]);
    expect(await counted(t, address)).toEqual(burst.slice(1).map((v) => v.id));
    expect(her.connected).toBe(true);
  });

  it('never closes or counts a socket that has a conversation; idle ones make room for each other, oldest first', async () => {
    const t = await app();
    const address = '198.51.100.80';
    const talking = await visitorAt(t, address);
    expect((await start(talking)).ok).toBe(true);

    const idle: (VisitorSocket & { closedBy?: string })[] = [];
    for (let i = 0; i < CAP; i++) idle.push(await visitorAt(t, address));
    for (let i = 0; i < CAP; i++) {
      idle.push(await visitorAt(t, address));
      await waitFor(() => idle[i]!.closedBy !== undefined);
    }
    // The first CAP were pushed out in the order they came; the last CAP are open and counted.
    expect(idle.map((v) => v.connected)).toEqual([false, false, false, true, true, true]);
    expect(await counted(t, address)).toEqual(expect.arrayContaining(idle.slice(CAP).map((v) => v.id)));
    expect(await counted(t, address)).toHaveLength(CAP);
    expect(talking.connected).toBe(true);
    const sent = await emitAck<AnyAck>(talking, 'chat:message', {
      clientMessageId: 'c1',
      text: 'ben je er nog?',
    });
    expect(sent.ok).toBe(true);
  });

  it('closes the oldest idle socket on the instance that holds it', async () => {
    const a = await app();
    const b = await app({ REDIS_PREFIX: a.config.redisPrefix });
    const address = '2001:db8:9:9::1';
    const onA: (VisitorSocket & { closedBy?: string })[] = [];
    for (let i = 0; i < CAP; i++) onA.push(await visitorAt(a, address));
    const onB = await visitorAt(b, address);
    await waitFor(() => onA[0]!.closedBy !== undefined);
    expect(onA[0]!.closedBy).toBe('io server disconnect');
    expect(onA.slice(1).map((v) => v.connected)).toEqual([true, true]);
    expect(onB.connected).toBe(true);
  });

  it('closes a socket that starts nothing after VISITOR_IDLE_S; one with a conversation stays', async () => {
    const t = await app({ VISITOR_IDLE_S: '1' });
    const address = '198.51.100.81';
    const talking = await visitorAt(t, address);
    expect((await start(talking)).ok).toBe(true);
    const idle = await visitorAt(t, address);
    await waitFor(() => idle.closedBy !== undefined, 5000);
    expect(idle.closedBy).toBe('io server disconnect');
    expect(await counted(t, address)).toEqual([]);
    await sleep(1500);
    expect(talking.connected).toBe(true);
  });

  it('counts an idle socket for as long as it may stay open', async () => {
    // Entries are never refreshed: each must outlast its socket's VISITOR_IDLE_S, or an
    // address could hold more idle sockets than the cap by keeping each past its entry.
    const t = await app({ VISITOR_IDLE_S: '2', VISITOR_SOCKETS_PER_ADDRESS: '1' });
    const address = '198.51.100.82';
    const key = t.app.keys.join('sockets', 'visitor', t.app.cipher.keyedHash(address, 'ip'));
    const connectedAt = Date.now();
    const first = await visitorAt(t, address);
    expect(Number(await t.app.redis.zscore(key, first.id!))).toBeGreaterThanOrEqual(connectedAt + 2000);
    await sleep(1500);
    // Still counted late in its life: the next one takes its place.
    const second = await visitorAt(t, address);
    await waitFor(() => first.closedBy !== undefined);
    expect(await counted(t, address)).toEqual([second.id]);
  });

  it('never refuses for the entries an instance left behind when it died: they make room first', async () => {
    const t = await app();
    const address = '198.51.100.83';
    const key = t.app.keys.join('sockets', 'visitor', t.app.cipher.keyedHash(address, 'ip'));
    // As after a crash: CAP entries nobody will remove, still within their time.
    await t.app.redis.zadd(
      key,
      Date.now() + 30_000,
      'gone-1',
      Date.now() + 30_001,
      'gone-2',
      Date.now() + 30_002,
      'gone-3',
    );
    const v = await visitorAt(t, address);
    expect(v.connected).toBe(true);
    expect(await counted(t, address)).toEqual(['gone-2', 'gone-3', v.id!]);
  });
});

/**
 * The same lever for the per-minute connection rate: a handshake past it must not be
 * refused, or someone on her Wi-Fi keeps her from reconnecting to her own conversation and
 * from redeeming her return code just by opening connections. Past the rate a socket is
 * admitted but starts nothing; resumes keep their own budgets.
 */
describe('the per-minute connection rate of an address', () => {
  const RATE = 3;
  const rated = () => app({ VISITOR_CONNECTIONS_PER_MIN: String(RATE) });
  /** Opens connections from the address until this minute's are used up. */
  const spend = async (t: TestApp, address: string, done: number) => {
    for (let i = done; i < RATE; i++) await visitorAt(t, address);
  };

  it('past the rate, her reconnect resumes her conversation by token', async () => {
    const t = await rated();
    const address = '2001:db8:7:7::1';
    const before = await visitorAt(t, address);
    const s = await emitAck<AnyAck>(before, 'chat:start', {
      role: 'victim',
      language: 'nl',
      text: 'Hij is thuis.',
    });
    expect(s.ok).toBe(true);
    // He opens the rest of this minute's connections on the same Wi-Fi (same /64) ...
    await spend(t, '2001:db8:7:7::99', 1);
    // ... and her network blips: her reconnect is the next one, and the one after.
    before.disconnect();
    const said = ['Hij is thuis.'];
    for (let attempt = 0; attempt < 2; attempt++) {
      const her = await visitorAt(t, '2001:db8:7:7:ffff::9');
      const back = await emitAck<AnyAck & { missed?: { text: string }[] }>(her, 'chat:resume', {
        resumeToken: String(s.resumeToken),
      });
      expect(back).toMatchObject({ ok: true, conversationId: s.conversationId, state: 'waiting' });
      // Her conversation, with all she said in it, on this connection.
      expect(back.missed?.map((m) => m.text)).toEqual(said);
      s.resumeToken = back.resumeToken;
      const text = `Ben je er nog? (${attempt})`;
      expect((await emitAck<AnyAck>(her, 'chat:message', { clientMessageId: `c${attempt}`, text })).ok).toBe(
        true,
      );
      said.push(text);
      her.disconnect();
    }
  });

  it('past the rate, her return code still gets her back in', async () => {
    const t = await rated();
    const address = '198.51.100.90';
    const earlier = await visitorAt(t, address);
    const s = await start(earlier);
    expect(s.ok).toBe(true);
    await emitAck(earlier, 'chat:leave', { reason: 'quick-exit' });
    earlier.disconnect();
    await spend(t, address, 1);

    const her = await visitorAt(t, address);
    const back = await emitAck<AnyAck>(her, 'chat:resume', { returnCode: String(s.returnCode) });
    expect(back).toMatchObject({ ok: true, conversationId: s.conversationId });
    expect(typeof back.returnCode).toBe('string');
  });

  it('past the rate, a flood of sockets never closes hers before her resume arrives', async () => {
    const t = await rated();
    const s = await start(await visitorAt(t, '2001:db8:8:8::1'));
    expect(s.ok).toBe(true);
    // He spends the rest of the minute's connections, and fills the address's places.
    await spend(t, '2001:db8:8:8::99', 1);
    // Her network blips; her socket connects, and before her resume reaches the server he
    // opens more than the address's places, past the rate.
    const her = await visitorAt(t, '2001:db8:8:8:ffff::9');
    for (let i = 0; i < CAP + 2; i++) await visitorAt(t, '2001:db8:8:8::98');
    expect(her.connected).toBe(true);
    const back = await emitAck<AnyAck>(her, 'chat:resume', { resumeToken: String(s.resumeToken) });
    expect(back).toMatchObject({ ok: true, conversationId: s.conversationId });
  });

  it('past the rate, chat:start is refused rate_limited and creates nothing', async () => {
    const t = await rated();
    const address = '198.51.100.91';
    const addressHash = t.app.cipher.keyedHash(address, 'ip');
    await spend(t, address, 0);
    const convKeys = () => t.app.redis.keys(`${t.config.redisPrefix}:conv:*`);
    const waiting = () => t.app.redis.keys(`${t.config.redisPrefix}:waiting*`);

    const over = await visitorAt(t, address);
    const refused = await start(over);
    expect(refused).toMatchObject({ ok: false, error: { code: 'rate_limited', reason: 'connection_limit' } });
    // Nothing was created, queued or counted for the address.
    expect(await convKeys()).toEqual([]);
    for (const key of await waiting()) expect(await t.app.redis.zcard(key)).toBe(0);
    expect(await t.app.redis.exists(t.app.keys.openByAddress(addressHash))).toBe(0);
    expect(await t.app.redis.exists(t.app.keys.startsByAddress(addressHash))).toBe(0);
    // Admitted, but it takes no place of the address: it closes no one's socket.
    expect(over.connected).toBe(true);
    expect(await counted(t, address)).not.toContain(over.id);
    // Another household is not held back by this one.
    expect((await start(await visitorAt(t, '198.51.100.92'))).ok).toBe(true);
  });
});
