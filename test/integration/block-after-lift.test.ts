/**
 * A block a supervisor lifted stays lifted for the operator: only a supervisor may block
 * that conversation again, until the lifted block would have run out.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';
import {
  connectOperator,
  connectVisitor,
  createOperator,
  emitAck,
  nextEvent,
  type VisitorSocket,
} from '../support/clients.ts';

type AnyAck = { ok: boolean; error?: { code: string; reason?: string }; [k: string]: unknown };

let t: TestApp;
const sockets: { disconnect(): unknown }[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.disconnect();
  await t?.close();
});

const ADDRESS = '198.51.100.240';

async function visitorAt(address: string): Promise<VisitorSocket> {
  const v = await connectVisitor(t.url, { forwardedFor: address });
  sockets.push(v);
  return v;
}
async function operator(opts: Parameters<typeof createOperator>[1] = {}) {
  const acct = await createOperator(t, opts);
  const s = await connectOperator(t.url, acct.cookie);
  sockets.push(s);
  return { acct, s };
}
const api = async (path: string, cookie: string, init: RequestInit = {}) => {
  const res = await fetch(`${t.url}${path}`, { ...init, headers: { cookie, origin: t.url } });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};
const startFrom = async (address: string) =>
  emitAck<AnyAck>(await visitorAt(address), 'chat:start', { role: 'victim', language: 'nl' });

describe('chat:block after a supervisor lifted the block', () => {
  it('refuses the holder with forbidden and blocks nothing, while a supervisor may block again', async () => {
    t = await startTestApp({ TRUST_PROXY: '1' });
    const v = await visitorAt(ADDRESS);
    const s = await emitAck<AnyAck>(v, 'chat:start', { role: 'victim', language: 'nl', text: 'hallo' });
    const conversationId = String(s.conversationId);
    const holder = await operator();
    const assigned = nextEvent(holder.s, 'chat:assigned');
    await emitAck(holder.s, 'operator:status', { status: 'available' });
    await assigned;

    // Positive control: the holder blocks, and blocking again while it holds is a no-op.
    const first = await emitAck<AnyAck>(holder.s, 'chat:block', { conversationId });
    expect(first.ok).toBe(true);
    expect((await emitAck<AnyAck>(holder.s, 'chat:block', { conversationId })).ok).toBe(true);
    expect((await startFrom(ADDRESS)).error).toMatchObject({ code: 'forbidden', reason: 'blocked' });

    const sup = await operator({ role: 'supervisor' });
    const [block] = (await api('/api/blocks', sup.acct.cookie)).body.blocks as { blockId: string }[];
    expect((await api(`/api/blocks/${block!.blockId}`, sup.acct.cookie, { method: 'DELETE' })).status).toBe(
      200,
    );
    expect((await startFrom(ADDRESS)).ok).toBe(true);

    // The holder cannot undo the supervisor's decision: refused, and nothing is blocked.
    const again = await emitAck<AnyAck>(holder.s, 'chat:block', { conversationId });
    expect(again.error).toMatchObject({ code: 'forbidden', reason: 'role_required' });
    expect((await api('/api/blocks', sup.acct.cookie)).body.blocks).toEqual([]);
    expect((await startFrom(ADDRESS)).ok).toBe(true);
    // The lift is remembered without the address's hash, no longer than the block would have run.
    const lifted = await t.app.redis.hgetall(t.app.keys.block(block!.blockId));
    expect(lifted.addr).toBeUndefined();
    const ttl = await t.app.redis.pttl(t.app.keys.block(block!.blockId));
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(2 * 3_600_000);
    // A second lift of the same block is still unknown.
    expect((await api(`/api/blocks/${block!.blockId}`, sup.acct.cookie, { method: 'DELETE' })).status).toBe(
      404,
    );

    // A supervisor still may.
    expect((await emitAck<AnyAck>(sup.s, 'chat:block', { conversationId })).ok).toBe(true);
    expect((await startFrom(ADDRESS)).error).toMatchObject({ code: 'forbidden', reason: 'blocked' });
    expect((await api('/api/blocks', sup.acct.cookie)).body.blocks).toHaveLength(1);
  });
});
