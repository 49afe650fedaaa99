import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';
import {
  connectOperator,
  connectVisitor,
  createOperator,
  emitAck,
  type OperatorSocket,
  type TestOperator,
} from '../support/clients.ts';
import { writeLinesFile } from '../support/lines-file.ts';

type AnyAck = { ok: boolean; error?: { code: string; reason?: string }; [k: string]: unknown };
type ListBody = {
  conversations: { conversationId: string; acute?: { location?: string }; tags?: string[] }[];
};

const LINES = [
  { id: 'a', name: 'Lijn A', languages: ['nl', 'en'], hours: '24/7', embedOrigins: [] },
  { id: 'b', name: 'Lijn B', languages: ['nl', 'en'], hours: '24/7', embedOrigins: [] },
];

const WHERE = 'Kerkstraat 12, achterkant, bij de schuur';

/**
 * `GET /api/conversations` answers only what the caller's lines reach now, by the rule
 * `GET /api/conversations/:id` follows. The adversary: an operator an admin took off a
 * line (say, because they know the victim) who keeps the console's list of ended
 * conversations, with the victim's location in `acute`, open until the retention purge.
 */
describe('the list of my conversations follows my lines', () => {
  let t: TestApp;
  let admin: TestOperator;
  const closers: { disconnect(): unknown }[] = [];

  beforeEach(async () => {
    t = await startTestApp({ LINES_FILE: writeLinesFile(LINES) });
    admin = await createOperator(t, { role: 'admin' });
  });
  afterEach(async () => {
    for (const c of closers.splice(0)) c.disconnect();
    await t.close();
  });

  const get = (path: string, cookie: string) =>
    fetch(`${t.url}${path}`, { headers: { cookie, origin: t.config.publicOrigin } });
  const list = async (cookie: string) => {
    const res = await get('/api/conversations', cookie);
    expect(res.status).toBe(200);
    return (await res.json()) as ListBody;
  };

  /** A conversation on `line`, accepted by `s`. */
  async function held(s: OperatorSocket, line: string): Promise<string> {
    const v = await connectVisitor(t.url);
    closers.push(v);
    const start = await emitAck<AnyAck>(v, 'chat:start', {
      role: 'victim',
      language: 'nl',
      text: 'Help',
      line,
    });
    expect(start.ok).toBe(true);
    const id = start.conversationId as string;
    expect((await emitAck<AnyAck>(s, 'chat:accept', { conversationId: id })).ok).toBe(true);
    return id;
  }

  it('drops an ended conversation of a line the operator was taken off; keeps the rest', async () => {
    const op = await createOperator(t, { lines: ['a', 'b'] });
    const s = await connectOperator(t.url, op.cookie);
    closers.push(s);

    const onA = await held(s, 'a');
    expect((await emitAck<AnyAck>(s, 'chat:end', { conversationId: onA })).ok).toBe(true);

    const onB = await held(s, 'b');
    const acute = await emitAck<AnyAck>(s, 'chat:acute', {
      conversationId: onB,
      location: WHERE,
      consentToCall112: true,
    });
    expect(acute.ok).toBe(true);
    expect((await emitAck<AnyAck>(s, 'chat:tags', { conversationId: onB, tags: ['physical'] })).ok).toBe(
      true,
    );
    expect((await emitAck<AnyAck>(s, 'chat:end', { conversationId: onB })).ok).toBe(true);
    // Still held on line a: listed before and after.
    const activeA = await held(s, 'a');

    const before = await list(op.cookie);
    expect(before.conversations.map((c) => c.conversationId).sort()).toEqual([onA, onB, activeA].sort());
    expect(before.conversations.find((c) => c.conversationId === onB)?.acute?.location).toBe(WHERE);
    expect((await get(`/api/conversations/${onB}`, op.cookie)).status).toBe(200);

    const patch = await fetch(`${t.url}/api/admin/operators/${op.id}`, {
      method: 'PATCH',
      headers: { cookie: admin.cookie, 'content-type': 'application/json', origin: t.config.publicOrigin },
      body: JSON.stringify({ lines: ['a'] }),
    });
    expect(patch.status).toBe(200);

    const one = await get(`/api/conversations/${onB}`, op.cookie);
    expect(one.status).toBe(403);
    expect(((await one.json()) as { error: { code: string } }).error.code).toBe('forbidden');

    const res = await get('/api/conversations', op.cookie);
    expect(res.status).toBe(200);
    const raw = await res.text();
    const after = JSON.parse(raw) as ListBody;
    expect(after.conversations.map((c) => c.conversationId).sort()).toEqual([onA, activeA].sort());
    expect(raw).not.toContain(onB);
    expect(raw).not.toContain(WHERE);

    // Given line b back, the list shows it again (read-time filter, nothing deleted).
    const back = await fetch(`${t.url}/api/admin/operators/${op.id}`, {
      method: 'PATCH',
      headers: { cookie: admin.cookie, 'content-type': 'application/json', origin: t.config.publicOrigin },
      body: JSON.stringify({ lines: ['a', 'b'] }),
    });
    expect(back.status).toBe(200);
    expect((await list(op.cookie)).conversations.map((c) => c.conversationId)).toContain(onB);
  });
});
