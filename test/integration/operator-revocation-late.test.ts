/**
 * Ending an operator's sessions (a password reset, disabling the account, a raised role) is
 * announced to every server over Redis pub/sub, and each server cuts that operator's live
 * sockets. A subscriber connection that lags (a failover, a busy server) brings the notice
 * late, after the operator has signed in again: the notice must cut only the sockets of the
 * sessions it ended, never the new sign-in's. A proxy holds back what Redis pushes to the
 * server's subscribers.
 */
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

describe('a late notice that ended sessions cuts only the sessions it ended', () => {
  it('a sign-in after the revocation keeps its socket when the notice arrives late', async () => {
    const { t, proxy } = await app();
    const op = await createOperator(t);
    const before = await console_(t, op.cookie);

    proxy.hold('subscribers');
    await t.app.operators.revokeSessions(op.id);
    const after = await console_(t, await login(t.url, op.username, op.password));
    proxy.release();

    // The notice has arrived: the socket of the ended session is cut by it ...
    await waitFor(() => before.closedBy !== undefined, 5_000);
    expect(before.ended).toBe(true);
    // ... and in the same pass the new one would have been: a round trip shows it was not.
    expect(await roundTrip(after)).toEqual({ ok: true });
    expect(after.ended).toBeUndefined();
  });

  it('an account disabled and enabled again: the new sign-in keeps its socket', async () => {
    const { t, proxy } = await app();
    const op = await createOperator(t);
    const before = await console_(t, op.cookie);

    proxy.hold('subscribers');
    await t.app.operators.disable(op.id);
    await t.app.operators.enable(op.id);
    const after = await console_(t, await login(t.url, op.username, op.password));
    proxy.release();

    await waitFor(() => before.closedBy !== undefined, 5_000);
    expect(before.ended).toBe(true);
    expect(await roundTrip(after)).toEqual({ ok: true });
  });
});
