/**
 * Issue 8: blocking an abusive visitor, and the insider: what bulk views carry, what is
 * audited, and ciphertexts that cannot be moved.
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
import { auditEntries } from '../support/per-test.ts';

type AnyAck = { ok: boolean; error?: { code: string; reason?: string }; [k: string]: unknown };

let t: TestApp;
const sockets: { disconnect(): unknown }[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.disconnect();
  await t?.close();
});
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
  const res = await fetch(`${t.url}${path}`, {
    ...init,
    headers: { cookie, origin: t.url, ...(init.body ? { 'content-type': 'application/json' } : {}) },
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};
const audit = async () =>
  (await auditEntries(t)).map((e) => ({ action: e.action, actor: e.actor, target: e.conversation }));

/** The supervisor overview as `cookie` sees it, and its entry for `conversationId`. */
async function overviewOf(cookie: string, conversationId: string) {
  const overview = await api('/api/supervisor/overview', cookie);
  expect(overview.status).toBe(200);
  const seen = (overview.body.conversations as Record<string, unknown>[]).find(
    (c) => c.conversationId === conversationId,
  )!;
  return { overview, seen };
}

/** A visitor at `address` whose first message is `text`, assigned to a fresh operator (with what it was sent). */
async function assignedConversation(address: string, text = 'jij bent dom') {
  const v = await visitorAt(address);
  const s = await emitAck<AnyAck>(v, 'chat:start', { role: 'victim', language: 'nl', text });
  const op = await operator({ displayName: 'Anna Operator' });
  const assigned = nextEvent<{ conversation: { signals?: { spans: unknown[] }[] } }>(op.s, 'chat:assigned');
  await emitAck(op.s, 'operator:status', { status: 'available' });
  return { v, conversationId: String(s.conversationId), op, assigned: await assigned };
}

describe('chat:block', () => {
  it('ends the conversation as blocked on both sides and refuses the address for BLOCK_HOURS, showing a reason', async () => {
    t = await startTestApp({ TRUST_PROXY: '1' });
    const { v, conversationId, op } = await assignedConversation('198.51.100.200');
    const visitorEnded = nextEvent<{ reason: string }>(v, 'chat:ended');
    const operatorEnded = nextEvent<{ conversationId: string; reason: string }>(op.s, 'chat:ended');
    expect((await emitAck<AnyAck>(op.s, 'chat:block', { conversationId })).ok).toBe(true);
    expect(await visitorEnded).toEqual({ reason: 'blocked' });
    expect(await operatorEnded).toEqual({ conversationId, reason: 'blocked' });

    const again = await emitAck<AnyAck>(await visitorAt('198.51.100.200'), 'chat:start', {
      role: 'victim',
      language: 'nl',
    });
    expect(again.error).toMatchObject({ code: 'forbidden', reason: 'blocked' });
    // Another address is not blocked.
    const other = await emitAck<AnyAck>(await visitorAt('198.51.100.201'), 'chat:start', {
      role: 'victim',
      language: 'nl',
    });
    expect(other.ok).toBe(true);
    expect((await audit()).some((a) => a.action === 'block' && a.target === conversationId)).toBe(true);
  });

  it('lets only the holder or a supervisor block, and lets supervisors list and lift blocks without any address', async () => {
    t = await startTestApp({ TRUST_PROXY: '1' });
    const { conversationId } = await assignedConversation('198.51.100.210');
    const stranger = await operator();
    expect((await emitAck<AnyAck>(stranger.s, 'chat:block', { conversationId })).error?.code).toBe(
      'forbidden',
    );
    expect((await api('/api/blocks', stranger.acct.cookie)).status).toBe(403);

    const sup = await operator({ role: 'supervisor', displayName: 'Sara Supervisor' });
    expect((await emitAck<AnyAck>(sup.s, 'chat:block', { conversationId })).ok).toBe(true);
    const list = await api('/api/blocks', sup.acct.cookie);
    expect(list.status).toBe(200);
    const blocks = list.body.blocks as {
      blockId: string;
      createdAt: string;
      expiresAt: string;
      operatorName: string;
    }[];
    expect(blocks).toHaveLength(1);
    expect(Object.keys(blocks[0]!).sort()).toEqual(['blockId', 'createdAt', 'expiresAt', 'operatorName']);
    expect(blocks[0]!.operatorName).toBe('Sara Supervisor');
    expect(Date.parse(blocks[0]!.expiresAt) - Date.parse(blocks[0]!.createdAt)).toBe(2 * 3_600_000);
    expect(JSON.stringify(list.body)).not.toContain('198.51.100');

    const lifted = await api(`/api/blocks/${blocks[0]!.blockId}`, sup.acct.cookie, { method: 'DELETE' });
    expect(lifted.status).toBe(200);
    expect(lifted.body.blocks).toEqual([]);
    const back = await emitAck<AnyAck>(await visitorAt('198.51.100.210'), 'chat:start', {
      role: 'victim',
      language: 'nl',
    });
    expect(back.ok).toBe(true);
    expect((await audit()).some((a) => a.action === 'block-lift' && a.target === blocks[0]!.blockId)).toBe(
      true,
    );
    expect(
      (await api(`/api/blocks/${blocks[0]!.blockId}`, sup.acct.cookie, { method: 'DELETE' })).status,
    ).toBe(404);
  });

  it('still blocks a troll who left at once, and lets the block run out', async () => {
    t = await startTestApp({ TRUST_PROXY: '1', BLOCK_HOURS: '0.0005' }); // 1.8 s
    const { v, conversationId, op } = await assignedConversation('198.51.100.220');
    await emitAck(v, 'chat:leave', { reason: 'ended' });
    expect((await emitAck<AnyAck>(op.s, 'chat:block', { conversationId })).ok).toBe(true);
    const refused = await emitAck<AnyAck>(await visitorAt('198.51.100.220'), 'chat:start', {
      role: 'victim',
      language: 'nl',
    });
    expect(refused.error?.code).toBe('forbidden');
    await new Promise((r) => setTimeout(r, 2000));
    const later = await emitAck<AnyAck>(await visitorAt('198.51.100.220'), 'chat:start', {
      role: 'victim',
      language: 'nl',
    });
    expect(later.ok).toBe(true);
  });

  it('keeps no address in Redis, only keyed hashes', async () => {
    t = await startTestApp({ TRUST_PROXY: '1' });
    const { conversationId, op } = await assignedConversation('198.51.100.230');
    await emitAck(op.s, 'chat:block', { conversationId });
    const keys = await t.app.redis.keys(`${t.config.redisPrefix}:*`);
    const dump: string[] = [...keys];
    for (const k of keys) {
      const type = await t.app.redis.type(k);
      if (type === 'hash') dump.push(JSON.stringify(await t.app.redis.hgetall(k)));
      if (type === 'string') dump.push(String(await t.app.redis.get(k)));
    }
    expect(dump.join('\n')).not.toContain('198.51.100.230');
  });
});

describe('the insider', () => {
  it('gives the supervisor overview no checklist answers or acute location, and audits the look', async () => {
    t = await startTestApp();
    const v = await connectVisitor(t.url);
    sockets.push(v);
    const s = await emitAck<AnyAck>(v, 'chat:start', { role: 'victim', language: 'nl' });
    const op = await operator();
    const assigned = nextEvent(op.s, 'chat:assigned');
    await emitAck(op.s, 'operator:status', { status: 'available' });
    await assigned;
    const conversationId = String(s.conversationId);
    await emitAck(op.s, 'chat:acute', {
      conversationId,
      location: 'Kerkstraat 12, Zwolle',
      consentToCall112: true,
    });
    const answers = { strangulation: 'yes', 'threat-to-kill': 'yes' } as const;
    const risk = await t.app.assessment.saveRisk(conversationId, op.acct.id, {
      answers: { ...answers },
    });
    expect(risk.risk?.level).toBe('high');

    const sup = await operator({ role: 'supervisor' });
    const { overview, seen } = await overviewOf(sup.acct.cookie, conversationId);
    expect(seen.risk).toMatchObject({ level: 'high', answers: {}, redFlags: [] });
    expect(seen.acute).toEqual({ at: expect.any(String), markedBy: op.acct.id });
    const text = JSON.stringify(overview.body);
    expect(text).not.toContain('Kerkstraat');
    expect(text).not.toContain('strangulation');
    expect((await audit()).some((a) => a.action === 'overview' && a.actor === sup.acct.id)).toBe(true);

    // Reading along shows everything, and its start and end are audited.
    const view = await emitAck<AnyAck>(sup.s, 'supervisor:monitor', { conversationId });
    expect(JSON.stringify(view)).toContain('Kerkstraat');
    await emitAck(sup.s, 'supervisor:unmonitor', { conversationId });
    const actions = (await audit()).filter((a) => a.actor === sup.acct.id).map((a) => a.action);
    expect(actions).toEqual(expect.arrayContaining(['monitor', 'unmonitor']));
  });

  it('gives the supervisor overview the danger signals’ categories but not where in her words they were read', async () => {
    t = await startTestApp();
    const { conversationId, assigned } = await assignedConversation(
      '198.51.100.240',
      'Hij heeft me gewurgd en zei dat hij me gaat vermoorden',
    );
    // The holder sees where each signal was read.
    const held = assigned.conversation.signals ?? [];
    expect(held.length).toBeGreaterThan(0);
    expect(held.every((sig) => sig.spans.length > 0)).toBe(true);

    const sup = await operator({ role: 'supervisor' });
    const { overview, seen } = await overviewOf(sup.acct.cookie, conversationId);
    const signals = seen.signals as { category: string; weight: string; spans: unknown[] }[];
    expect(signals.map((sig) => sig.category)).toEqual(
      expect.arrayContaining(['strangulation', 'threat-to-kill']),
    );
    expect(signals).toHaveLength(held.length);
    for (const sig of signals) expect(sig).toEqual({ category: sig.category, weight: sig.weight, spans: [] });
    expect(JSON.stringify(overview.body)).not.toContain('messageId');
  });

  it('refuses a ciphertext moved from a note into a message, or from visitor to operator', async () => {
    t = await startTestApp();
    const { conversationId: id, op } = await assignedConversation('198.51.100.241', 'van de bezoeker');
    await emitAck(op.s, 'chat:note', { conversationId: id, text: 'privé notitie' });
    const r = t.app.redis;
    const k = t.app.key('conv', id);
    const [[, noteFields]] = (await r.xrange(`${k}:notes`, '-', '+')) as [[string, string[]]];
    const noteCipher = noteFields[noteFields.indexOf('c') + 1]!;
    const [[, msgFields]] = (await r.xrange(`${k}:msgs`, '-', '+')) as [[string, string[]]];
    const visitorCipher = msgFields[msgFields.indexOf('c') + 1]!;
    expect((await t.app.store.messages(id, { forOperator: true })).map((m) => m.text)).toEqual([
      'van de bezoeker',
    ]);

    // An insider with Redis access moves the note into the visitor's stream…
    await r.xadd(`${k}:msgs`, '*', 'f', 'v', 'o', '', 'c', noteCipher);
    await expect(t.app.store.messages(id, { forOperator: true })).rejects.toThrow();
    await r.del(`${k}:msgs`);
    // …or relabels the visitor's words as the operator's.
    await r.xadd(`${k}:msgs`, '*', 'f', 'o', 'o', op.acct.id, 'c', visitorCipher);
    await expect(t.app.store.messages(id, { forOperator: true })).rejects.toThrow();
  });
});
