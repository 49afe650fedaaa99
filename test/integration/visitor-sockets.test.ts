/**
 * Review finding V3: one address may hold only so many visitor sockets at once, whatever
 * the per-minute connection rate allows; a socket that closes frees its place, and the
 * sockets of an instance that stopped refreshing them stop counting. Addresses come from
 * X-Forwarded-For behind one trusted proxy hop, as in production behind nginx.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';
import { connectVisitor, type VisitorSocket, waitFor } from '../support/clients.ts';

let t: TestApp;
const sockets: { disconnect(): unknown }[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.disconnect();
  await t?.close();
});

const CAP = 3;

async function visitorAt(address: string): Promise<VisitorSocket> {
  const v = await connectVisitor(t.url, { forwardedFor: `203.0.113.250, ${address}` });
  sockets.push(v);
  return v;
}
/** `connected`, or the `connect_error` message the server refused with. */
const tryAt = (address: string): Promise<string> =>
  visitorAt(address).then(
    () => 'connected',
    (err: Error) => err.message,
  );

describe('live visitor sockets per address', () => {
  it('refuses the handshake past the cap (IPv6 per /64) and frees a place when one closes', async () => {
    t = await startTestApp({ TRUST_PROXY: '1', VISITOR_SOCKETS_PER_ADDRESS: String(CAP) });
    // The per-minute rate is not what stops them (the test app allows 100,000 a minute).
    expect(t.config.visitorConnectionsPerMin).toBeGreaterThan(100);
    const held: VisitorSocket[] = [];
    for (let i = 1; i <= CAP; i++) held.push(await visitorAt(`2001:db8:5:6::${i}`));

    expect(await tryAt('2001:db8:5:6:ffff::9')).toBe('rate_limited'); // same /64
    expect(await tryAt('2001:db8:5:6::1')).toBe('rate_limited');
    // Other households are not held back by this one.
    expect(await tryAt('2001:db8:5:7::1')).toBe('connected');
    expect(await tryAt('198.51.100.80')).toBe('connected');

    held[0]!.disconnect();
    await waitFor(async () => (await tryAt('2001:db8:5:6::1')) === 'connected');
    expect(await tryAt('2001:db8:5:6::2')).toBe('rate_limited');
  });

  it('stops counting the sockets of an instance that no longer refreshes them', async () => {
    t = await startTestApp({ TRUST_PROXY: '1', VISITOR_SOCKETS_PER_ADDRESS: String(CAP) });
    for (let i = 0; i < CAP; i++) await visitorAt('198.51.100.81');
    expect(await tryAt('198.51.100.81')).toBe('rate_limited');
    // As after a crash: every entry of the address outlived its last refresh.
    const key = t.app.keys.join('sockets', 'visitor', t.app.cipher.keyedHash('198.51.100.81', 'ip'));
    const members = await t.app.redis.zrange(key, 0, -1);
    expect(members).toHaveLength(CAP);
    await t.app.redis.zadd(key, ...members.flatMap((m) => [Date.now() - 1, m]));
    expect(await tryAt('198.51.100.81')).toBe('connected');
  });
});
