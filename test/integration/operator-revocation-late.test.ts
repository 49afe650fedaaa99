/**
 * Ending an operator's sessions (a password reset, disabling the account, a raised role) is
 * announced to every server over Redis pub/sub, and each server cuts that operator's live
 * sockets. A subscriber connection that lags (a failover, a busy server) brings the notice
 * late, after the operator has signed in again: the notice must cut only the sockets of the
 * sessions it ended, never the new sign-in's. A proxy holds back what Redis pushes to the
 * server's subscribers.
 */
import { Redis } from 'ioredis';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';
import {
  connectOperator,
  createOperator,
  emitAck,
  login,
  type OperatorSocket,
  waitFor,
} from '../support/clients.ts';
import { deferred } from '../support/deferred.ts';
import { type RedisProxy, startRedisProxy } from '../support/redis-proxy.ts';

type Tracked = OperatorSocket & { closedBy?: string; ended?: boolean };

let t: TestApp | undefined;
let proxy: RedisProxy | undefined;
const sockets: OperatorSocket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.disconnect();
  await t?.close();
  await proxy?.close();
  t = undefined;
  proxy = undefined;
});

async function app(): Promise<{ t: TestApp; proxy: RedisProxy }> {
  const redisUrl = new URL(inject('redisUrl'));
  proxy = await startRedisProxy({ host: redisUrl.hostname, port: Number(redisUrl.port) });
  t = await startTestApp({ REDIS_URL: proxy.url });
  return { t, proxy };
}

async function console_(t: TestApp, cookie: string): Promise<Tracked> {
  const s: Tracked = await connectOperator(t.url, cookie, {
    before: (s: Tracked) => {
      s.on('session:ended', () => {
        s.ended = true;
      });
      s.on('disconnect', (reason) => {
        s.closedBy = reason;
      });
    },
  });
  sockets.push(s);
  return s;
}

/** A round trip on `s`, or how it was closed while waiting for it. */
function roundTrip(s: Tracked): Promise<{ ok: boolean; closedBy?: string | undefined }> {
  return Promise.race([
    emitAck<{ ok: boolean }>(s, 'operator:status', { status: 'available' }).then((a) => ({ ok: a.ok })),
    waitFor(() => s.closedBy !== undefined, 10_000).then(() => ({ ok: false, closedBy: s.closedBy })),
  ]);
}

/**
 * Once this resolves, the server has handled everything its revocation subscriber was sent
 * before: a notice ending `probe`'s session, published now, arrives on that same connection
 * after them, and `probe` is cut when it is handled.
 */
async function noticesHandled(t: TestApp, probe: { cookie: string; socket: Tracked }): Promise<void> {
  const session = await t.app.auth.sessionFromCookieHeader(probe.cookie);
  const redis = new Redis(inject('redisUrl'));
  try {
    await redis.publish(t.app.keys.sessionRevokedChannel, session!.sessionId);
  } finally {
    redis.disconnect();
  }
  await waitFor(() => probe.socket.closedBy !== undefined, 5_000);
}

describe('a late notice that ended sessions cuts only the sessions it ended', () => {
  /** Anna's console, a colleague's (the probe), and the server's subscriber held back. */
  async function signedIn() {
    const { t, proxy } = await app();
    const anna = await createOperator(t);
    const before = await console_(t, anna.cookie);
    const colleague = await createOperator(t);
    const probe = { cookie: colleague.cookie, socket: await console_(t, colleague.cookie) };
    proxy.hold('subscribers');
    return { t, proxy, anna, before, probe };
  }

  it('a password reset: her sign-in with the new password keeps its socket when the notice arrives late', async () => {
    const { t, proxy, anna, before, probe } = await signedIn();
    await t.app.operators.resetPassword(anna.id, 'a-new-long-enough-password');
    const after = await console_(t, await login(t.url, anna.username, 'a-new-long-enough-password'));
    proxy.release();
    await noticesHandled(t, probe);

    expect(before.ended).toBe(true);
    expect(before.closedBy).toBe('io server disconnect');
    expect(await roundTrip(after)).toEqual({ ok: true });
    expect(after.ended).toBeUndefined();
  });

  it('an account disabled and enabled again: the new sign-in keeps its socket', async () => {
    const { t, proxy, anna, before, probe } = await signedIn();
    await t.app.operators.disable(anna.id);
    await t.app.operators.enable(anna.id);
    const after = await console_(t, await login(t.url, anna.username, anna.password));
    proxy.release();
    await noticesHandled(t, probe);

    expect(before.ended).toBe(true);
    expect(await roundTrip(after)).toEqual({ ok: true });
    expect(after.ended).toBeUndefined();
  });

  it('a notice without an epoch (an earlier release) cuts every socket of the operator', async () => {
    const { t, proxy, anna, before, probe } = await signedIn();
    const second = await console_(t, await login(t.url, anna.username, anna.password));
    const redis = new Redis(inject('redisUrl'));
    try {
      await redis.publish(t.app.keys.operatorRevokedChannel, anna.id);
    } finally {
      redis.disconnect();
    }
    proxy.release();
    await noticesHandled(t, probe);

    expect([before.ended, second.ended]).toEqual([true, true]);
  });
});

describe('a notice heard while a console is still connecting', () => {
  it('a socket whose session ended between its handshake and its connection is cut at once', async () => {
    const { t } = await app();
    const anna = await createOperator(t);
    const colleague = await createOperator(t);
    const probe = { cookie: colleague.cookie, socket: await console_(t, colleague.cookie) };
    // Anna's handshake reads her session, then waits here: her account is disabled, and
    // its notice handled, before her socket counts as live.
    const read = deferred();
    const gate = deferred();
    const sessionFromCookieHeader = t.app.auth.sessionFromCookieHeader;
    t.app.auth.sessionFromCookieHeader = async (cookieHeader) => {
      const session = await sessionFromCookieHeader(cookieHeader);
      if (session?.operator.id === anna.id) {
        read.resolve();
        await gate.promise;
      }
      return session;
    };
    const connecting = console_(t, anna.cookie);
    await read.promise;
    await t.app.operators.disable(anna.id);
    await noticesHandled(t, probe);
    gate.resolve();
    const late = await connecting;

    // Well before the 15-s re-check of every live socket.
    await waitFor(() => late.closedBy !== undefined, 3_000);
    expect(late.ended).toBe(true);
    expect(late.closedBy).toBe('io server disconnect');
  });
});
