import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';
import { connectOperator, connectVisitor, createOperator, emitAck, nextEvent } from '../support/clients.ts';

type AnyAck = { ok: boolean; error?: { code: string }; [k: string]: unknown };

describe('console extensions', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await startTestApp();
  });
  afterEach(async () => {
    await t.close();
  });

  async function activeConversation() {
    const acct = await createOperator(t, { displayName: 'Anna Smit' });
    const op = await connectOperator(t.url, acct.cookie);
    const v = await connectVisitor(t.url);
    const start = await emitAck<AnyAck>(v, 'chat:start', { role: 'victim', language: 'nl', text: 'help' });
    const conversationId = String(start.conversationId);
    expect((await emitAck<AnyAck>(op, 'chat:accept', { conversationId })).ok).toBe(true);
    return { acct, op, v, conversationId };
  }

  it('stores tags and a re-scored risk checklist encrypted, and refuses a score that was not earned', async () => {
    const { op, v, conversationId } = await activeConversation();
    const tags = await emitAck<AnyAck & { conversation: { tags: string[] } }>(op, 'chat:tags', {
      conversationId,
      tags: ['physical', 'coercive-control'],
    });
    expect(tags.conversation.tags).toEqual(['physical', 'coercive-control']);
    const forged = await emitAck<AnyAck>(op, 'chat:risk', {
      conversationId,
      risk: { answers: {}, score: 20, level: 'high', redFlags: [] },
    });
    expect(forged.error?.code).toBe('invalid_payload');
    const { scoreRisk, riskItems } = await import('@stille-lijn/shared/domain/risk');
    const flag = riskItems.find((i) => i.redFlag)!.id;
    const saved = await emitAck<AnyAck & { conversation: { risk: { level: string; score: number } } }>(
      op,
      'chat:risk',
      {
        conversationId,
        risk: scoreRisk({ [flag]: 'yes' }),
      },
    );
    expect(saved.conversation.risk).toMatchObject({ level: 'high', score: 1 });
    const raw = JSON.stringify(await t.app.redis.hgetall(`${t.config.redisPrefix}:conv:${conversationId}`));
    expect(raw).not.toContain('coercive-control');
    expect(raw).not.toContain(flag);
    op.disconnect();
    v.disconnect();
  });

  it('acute danger marks urgent, alerts supervisors once, and records the 112 answers', async () => {
    const sup = await createOperator(t, { role: 'supervisor' });
    const supSocket = await connectOperator(t.url, sup.cookie);
    const { op, v, conversationId } = await activeConversation();
    const alert = nextEvent<{ kind: string; conversationId: string }>(supSocket, 'supervisor:alert');
    const first = await emitAck<AnyAck & { conversation: { urgent: boolean; acute: { at: string } } }>(
      op,
      'chat:acute',
      { conversationId },
    );
    expect(first.conversation.urgent).toBe(true);
    expect(await alert).toMatchObject({ kind: 'acute-danger', conversationId });
    const second = await emitAck<AnyAck & { conversation: { acute: Record<string, unknown> } }>(
      op,
      'chat:acute',
      {
        conversationId,
        location: 'Dorpsstraat 1, Utrecht',
        consentToCall112: true,
      },
    );
    expect(second.conversation.acute).toMatchObject({
      location: 'Dorpsstraat 1, Utrecht',
      consentToCall112: true,
    });
    expect(
      JSON.stringify(await t.app.redis.hgetall(`${t.config.redisPrefix}:conv:${conversationId}`)),
    ).not.toContain('Dorpsstraat');
    for (const s of [op, v, supSocket]) s.disconnect();
  });

  it('lets a supervisor watch read-only: audited, the operator is told, messages follow', async () => {
    const sup = await createOperator(t, { role: 'supervisor', displayName: 'Sara Supervisor' });
    const supSocket = await connectOperator(t.url, sup.cookie);
    const { op, v, conversationId } = await activeConversation();
    const told = nextEvent<{ supervisorName: string; watching: boolean }>(op, 'chat:monitored');
    const view = await emitAck<AnyAck & { messages: { text: string }[] }>(supSocket, 'supervisor:monitor', {
      conversationId,
    });
    expect(view.messages.map((m) => m.text)).toEqual(['help']);
    expect(await told).toEqual({ conversationId, supervisorName: 'Sara Supervisor', watching: true });
    const watched = nextEvent<{ text: string; from: string }>(supSocket, 'monitor:message');
    await emitAck(v, 'chat:message', { clientMessageId: 'w1', text: 'gezien?' });
    expect(await watched).toMatchObject({ text: 'gezien?', from: 'visitor' });
    const watchedNote = nextEvent<{ text: string }>(supSocket, 'chat:note');
    await emitAck(op, 'chat:note', { conversationId, text: 'voor de supervisor zichtbaar' });
    expect((await watchedNote).text).toBe('voor de supervisor zichtbaar');
    // Watching is read-only.
    const write = await emitAck<AnyAck>(supSocket, 'chat:message', {
      conversationId,
      clientMessageId: 's',
      text: 'x',
    });
    expect(write.error?.code).toBe('forbidden');
    const audit = await t.app.redis.xrange(`${t.config.redisPrefix}:audit`, '-', '+');
    expect(
      audit.some(([, f]) => f.includes('monitor') && f.includes(sup.id) && f.includes(conversationId)),
    ).toBe(true);
    // An operator may not monitor.
    const denied = await emitAck<AnyAck>(op, 'supervisor:monitor', { conversationId });
    expect(denied.error?.code).toBe('forbidden');
    const endSeen = nextEvent<{ reason: string }>(supSocket, 'chat:ended');
    await emitAck(op, 'chat:end', { conversationId });
    expect((await endSeen).reason).toBe('operator');
    for (const s of [op, v, supSocket]) s.disconnect();
  });

  it('lets a supervisor reassign a conversation to a colleague', async () => {
    const sup = await createOperator(t, { role: 'supervisor' });
    const supSocket = await connectOperator(t.url, sup.cookie);
    const { op, v, conversationId } = await activeConversation();
    const other = await createOperator(t);
    const otherSocket = await connectOperator(t.url, other.cookie);
    const got = nextEvent<{ conversation: { conversationId: string } }>(otherSocket, 'chat:assigned');
    const lost = nextEvent(op, 'chat:unassigned');
    expect(
      (
        await emitAck<AnyAck>(supSocket, 'supervisor:reassign', {
          conversationId,
          to: { operatorId: other.id },
        })
      ).ok,
    ).toBe(true);
    expect((await got).conversation.conversationId).toBe(conversationId);
    await lost;
    for (const s of [op, v, supSocket, otherSocket]) s.disconnect();
  });

  it('keeps an ended conversation readable to its operator only (supervisors audited)', async () => {
    const { acct, op, v, conversationId } = await activeConversation();
    await emitAck(op, 'chat:end', { conversationId });
    const mine = await fetch(`${t.url}/api/conversations/${conversationId}`, {
      headers: { cookie: acct.cookie },
    });
    expect(mine.status).toBe(200);
    const body = (await mine.json()) as { conversation: { state: string }; messages: { text: string }[] };
    expect(body.conversation.state).toBe('ended');
    expect(body.messages.map((m) => m.text)).toEqual(['help']);
    const list = (await (
      await fetch(`${t.url}/api/conversations`, { headers: { cookie: acct.cookie } })
    ).json()) as {
      conversations: { conversationId: string }[];
    };
    expect(list.conversations.map((c) => c.conversationId)).toContain(conversationId);
    const stranger = await createOperator(t);
    expect(
      (await fetch(`${t.url}/api/conversations/${conversationId}`, { headers: { cookie: stranger.cookie } }))
        .status,
    ).toBe(403);
    op.disconnect();
    v.disconnect();
  });

  it('lets admins manage accounts and refuses the same to operators and supervisors (403)', async () => {
    const admin = await createOperator(t, { role: 'admin' });
    const sup = await createOperator(t, { role: 'supervisor' });
    const json = { 'content-type': 'application/json' };
    const add = await fetch(`${t.url}/api/admin/operators`, {
      method: 'POST',
      headers: { ...json, cookie: admin.cookie },
      body: JSON.stringify({ username: 'nieuw', displayName: 'Nieuwe Collega', languages: ['nl', 'tr'] }),
    });
    expect(add.status).toBe(201);
    const { operator, password } = (await add.json()) as { operator: { id: string }; password: string };
    const { login } = await import('../support/clients.ts');
    expect(await login(t.url, 'nieuw', password)).toMatch(/^sl_session=/);
    for (const who of [sup, await createOperator(t)]) {
      const r = await fetch(`${t.url}/api/admin/operators`, { headers: { cookie: who.cookie } });
      expect(r.status).toBe(403);
    }
    const patch = await fetch(`${t.url}/api/admin/operators/${operator.id}`, {
      method: 'PATCH',
      headers: { ...json, cookie: admin.cookie },
      body: JSON.stringify({ role: 'supervisor' }),
    });
    expect(((await patch.json()) as { operator: { role: string } }).operator.role).toBe('supervisor');
    const disable = await fetch(`${t.url}/api/admin/operators/${operator.id}/disable`, {
      method: 'POST',
      headers: { cookie: admin.cookie },
    });
    expect(disable.status).toBe(200);
    await expect(login(t.url, 'nieuw', password)).rejects.toThrow('401');
    const bad = await fetch(`${t.url}/api/admin/operators`, {
      method: 'POST',
      headers: { ...json, cookie: admin.cookie },
      body: JSON.stringify({ username: 'x' }),
    });
    expect(bad.status).toBe(400);
  });

  it('serves canned responses with the safety check, and lets supervisors edit them', async () => {
    const sup = await createOperator(t, { role: 'supervisor' });
    const op = await createOperator(t);
    const list = (await (await fetch(`${t.url}/api/canned`, { headers: { cookie: op.cookie } })).json()) as {
      canned: { id: string; language: string; text: string }[];
    };
    expect(list.canned.find((c) => c.id === 'safety-check' && c.language === 'nl')?.text).toBe(
      'Is het nu veilig om te chatten? Kan iemand meelezen? Hoeveel tijd heb je?',
    );
    const item = { id: 'pauze', language: 'nl', title: 'Pauze', text: 'Ik ben zo terug.', keywords: [] };
    const denied = await fetch(`${t.url}/api/canned`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', cookie: op.cookie },
      body: JSON.stringify(item),
    });
    expect(denied.status).toBe(403);
    const saved = await fetch(`${t.url}/api/canned`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', cookie: sup.cookie },
      body: JSON.stringify(item),
    });
    expect(saved.status).toBe(200);
    const after = (await saved.json()) as { canned: { id: string }[] };
    expect(after.canned.some((c) => c.id === 'pauze')).toBe(true);
    const del = await fetch(`${t.url}/api/canned/pauze/nl`, {
      method: 'DELETE',
      headers: { cookie: sup.cookie },
    });
    expect(del.status).toBe(200);
  });

  it('gives supervisors an overview of active conversations and operators', async () => {
    const sup = await createOperator(t, { role: 'supervisor' });
    const { acct, op, v, conversationId } = await activeConversation();
    const res = await fetch(`${t.url}/api/supervisor/overview`, { headers: { cookie: sup.cookie } });
    const body = (await res.json()) as {
      conversations: { conversationId: string; operatorId: string }[];
      operators: { id: string; load: number; connected: boolean }[];
    };
    expect(body.conversations).toEqual([expect.objectContaining({ conversationId, operatorId: acct.id })]);
    expect(body.operators.find((o) => o.id === acct.id)).toMatchObject({ load: 1, connected: true });
    expect(
      (await fetch(`${t.url}/api/supervisor/overview`, { headers: { cookie: acct.cookie } })).status,
    ).toBe(403);
    op.disconnect();
    v.disconnect();
  });
});
