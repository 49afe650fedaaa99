/**
 * Insider findings F1 and F2: the audit stream is capped (AUDIT_MAX_ENTRIES), so whatever
 * one account can make it write at will could push older entries (its own earlier looks at
 * a victim's conversation among them) out of it; and whatever it can make Redis store at
 * will could fill Redis (noeviction: the line goes down). An action that changes nothing
 * writes no entry; every other audited staff action spends an hourly budget per account,
 * refused before it takes effect; a session opens a handful of consoles at most; notes per
 * conversation and report submissions per hour are capped.
 */
import { scoreRisk } from '@stille-lijn/shared/domain/risk';
import { afterEach, describe, expect, it } from 'vitest';
import { ACTION_BUDGET_PER_HOUR } from '../../server/src/audit/index.ts';
import { MAX_NOTE_BYTES, MAX_NOTES } from '../../server/src/messages/index.ts';
import { REPORTS_PER_HOUR } from '../../server/src/reports/plugin.ts';
import { SESSION_SOCKETS_MAX } from '../../server/src/sockets/session-sockets.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import {
  collect,
  connectOperator,
  connectVisitor,
  createOperator,
  emitAck,
  login,
  type OperatorSocket,
  type TestOperator,
  type VisitorSocket,
  waitFor,
} from '../support/clients.ts';
import { type FakeVR09, startFakeVR09 } from '../support/fake-region.ts';
import { auditEntries } from '../support/per-test.ts';

type AnyAck = {
  ok: boolean;
  error?: { code: string; reason?: string; retryAfterSeconds?: number };
  retryAfterSeconds?: number;
  [k: string]: unknown;
};

let t: TestApp | undefined;
let vr09: FakeVR09 | undefined;
const sockets: { disconnect(): unknown }[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.disconnect();
  await t?.close();
  t = undefined;
  await vr09?.close();
  vr09 = undefined;
});

function app(): TestApp {
  if (!t) throw new Error('no app');
  return t;
}

/** The actions of the audit stream's entries by `actor`, oldest first. */
async function actionsOf(actor: string): Promise<string[]> {
  return (await auditEntries(app())).filter((e) => e.actor === actor).map((e) => e.action ?? '');
}
const count = (actions: string[], action: string) => actions.filter((a) => a === action).length;

async function operator(): Promise<{ acct: TestOperator; s: OperatorSocket }> {
  const acct = await createOperator(app());
  const s = await connectOperator(app().url, acct.cookie);
  sockets.push(s);
  return { acct, s };
}

/** A conversation `s` accepted, with one visitor message (for a report's excerpt). */
async function held(
  s: OperatorSocket,
): Promise<{ conversationId: string; v: VisitorSocket; messageId: string }> {
  const v = await connectVisitor(app().url);
  sockets.push(v);
  const start = await emitAck<AnyAck>(v, 'chat:start', { role: 'victim', language: 'nl' });
  const conversationId = String(start.conversationId);
  expect((await emitAck<AnyAck>(s, 'chat:accept', { conversationId })).ok).toBe(true);
  const m = await emitAck<AnyAck>(v, 'chat:message', { clientMessageId: 'v1', text: 'Hallo' });
  return { conversationId, v, messageId: String(m.messageId) };
}

/** The account's budget of audited actions, spent up to `left` (as if it had acted that often this hour). */
async function spendBudget(accountId: string, left: number) {
  await app().app.redis.set(
    app().app.keys.join('audit-actions', accountId),
    String(ACTION_BUDGET_PER_HOUR - left),
    'PX',
    3_600_000,
  );
}

describe('an action that changes nothing writes no entry', () => {
  it('a hand-over that moves nothing, repeated, writes no handover entry; one that moves a conversation writes one', async () => {
    t = await startTestApp();
    const { acct, s } = await operator();
    for (let i = 0; i < 30; i++) {
      const ack = await emitAck<AnyAck>(s, 'operator:handover', { to: { queue: true } });
      expect(ack).toMatchObject({ ok: true, moved: 0 });
    }
    expect(count(await actionsOf(acct.id), 'handover')).toBe(0);

    const { conversationId } = await held(s);
    expect(await emitAck<AnyAck>(s, 'operator:handover', { to: { queue: true } })).toMatchObject({
      ok: true,
      moved: 1,
    });
    expect((await app().app.store.get(conversationId)).state).toBe('waiting');
    expect(count(await actionsOf(acct.id), 'handover')).toBe(1);
  });

  it('the same tags, checklist or acute danger again answer as before but write, and tell, nothing', async () => {
    t = await startTestApp();
    const { acct, s } = await operator();
    const { conversationId } = await held(s);
    // A second console of the same account hears of every change (chat:updated).
    const tab = await connectOperator(app().url, acct.cookie);
    sockets.push(tab);
    const updates = collect(tab, 'chat:updated');

    for (let i = 0; i < 30; i++) {
      const tags = i % 2 === 0 ? ['physical', 'psychological'] : ['psychological', 'physical'];
      const ack = await emitAck<AnyAck & { conversation: { tags: string[] } }>(s, 'chat:tags', {
        conversationId,
        tags,
      });
      expect(ack.ok).toBe(true);
      expect([...ack.conversation.tags].sort()).toEqual(['physical', 'psychological']);
    }
    const risk = scoreRisk({ strangulation: 'yes', 'very-frightened': 'yes' });
    for (let i = 0; i < 10; i++) {
      const ack = await emitAck<AnyAck & { conversation: { risk?: { score: number } } }>(s, 'chat:risk', {
        conversationId,
        risk,
      });
      expect(ack.ok).toBe(true);
      expect(ack.conversation.risk?.score).toBe(risk.score);
    }
    for (let i = 0; i < 10; i++) {
      const ack = await emitAck<AnyAck & { conversation: { acute?: { location?: string } } }>(
        s,
        'chat:acute',
        {
          conversationId,
          location: 'Thuis',
        },
      );
      expect(ack.ok).toBe(true);
      expect(ack.conversation.acute?.location).toBe('Thuis');
    }
    // Something new is a change again.
    expect((await emitAck<AnyAck>(s, 'chat:acute', { conversationId, consentToCall112: true })).ok).toBe(
      true,
    );
    expect((await emitAck<AnyAck>(s, 'chat:acute', { conversationId })).ok).toBe(true);

    const actions = await actionsOf(acct.id);
    expect(count(actions, 'tags')).toBe(1);
    expect(count(actions, 'risk')).toBe(1);
    expect(count(actions, 'acute')).toBe(1);
    expect(count(actions, 'acute-update')).toBe(1);
    await waitFor(() => updates.length >= 4);
    await new Promise((r) => setTimeout(r, 200));
    // tags, risk, acute, acute-update: one chat:updated each, none for a repeat.
    expect(updates).toHaveLength(4);
  });
});

describe('a dismissal of a dismissed signal', () => {
  it('is refused as before (not_found) and writes no second entry', async () => {
    t = await startTestApp();
    const { acct, s } = await operator();
    const { conversationId, v } = await held(s);
    await emitAck(v, 'chat:message', { clientMessageId: 'v2', text: 'hij heeft een mes' });
    await waitFor(async () => (await app().app.store.conversation(conversationId)).signals !== undefined);
    const dismiss = () => emitAck<AnyAck>(s, 'signal:dismiss', { conversationId, category: 'weapon' });
    expect((await dismiss()).ok).toBe(true);
    for (let i = 0; i < 5; i++) expect((await dismiss()).error?.code).toBe('not_found');
    expect(count(await actionsOf(acct.id), 'signal-dismiss')).toBe(1);
  });
});

describe('the budget of audited actions', () => {
  it('refuses the action past the budget before it takes effect, writing nothing; messages and other accounts go on', async () => {
    t = await startTestApp();
    const { acct, s } = await operator();
    const other = await operator();
    const { conversationId } = await held(s);
    const mine = await held(other.s);
    const before = await actionsOf(acct.id);
    await spendBudget(acct.id, 1);

    expect((await emitAck<AnyAck>(s, 'chat:tags', { conversationId, tags: ['physical'] })).ok).toBe(true);
    const refused = await emitAck<AnyAck>(s, 'chat:tags', { conversationId, tags: ['stalking'] });
    expect(refused.ok).toBe(false);
    expect(refused.error).toMatchObject({ code: 'rate_limited', reason: 'action_limit' });
    expect(refused.retryAfterSeconds).toBeGreaterThan(3000);
    expect(refused.retryAfterSeconds).toBeLessThanOrEqual(3600);
    expect((await app().app.store.conversation(conversationId)).tags).toEqual(['physical']);

    const note = await emitAck<AnyAck>(s, 'chat:note', { conversationId, text: 'Kinderen thuis' });
    expect(note.error).toMatchObject({ code: 'rate_limited', reason: 'action_limit' });
    expect(await app().app.store.notes(conversationId)).toEqual([]);
    const handover = await emitAck<AnyAck>(s, 'operator:handover', { to: { queue: true } });
    expect(handover.error).toMatchObject({ code: 'rate_limited', reason: 'action_limit' });
    expect(await app().app.store.get(conversationId)).toMatchObject({ state: 'active', operatorId: acct.id });

    // One entry for the one action that happened, none for the refused ones.
    const after = await actionsOf(acct.id);
    expect(after.slice(before.length)).toEqual(['tags']);
    // What is not audited is not budgeted: the conversation goes on.
    const message = await emitAck<AnyAck>(s, 'chat:message', {
      conversationId,
      clientMessageId: 'o-1',
      text: 'Ik ben er nog.',
    });
    expect(message.ok).toBe(true);
    // Another account's budget is its own.
    expect(
      (
        await emitAck<AnyAck>(other.s, 'chat:tags', {
          conversationId: mine.conversationId,
          tags: ['stalking'],
        })
      ).ok,
    ).toBe(true);

    // What keeps a victim from help is never refused: the first marking of acute danger
    // (a change of it after is), a block and the end.
    const acute = await emitAck<AnyAck>(s, 'chat:acute', { conversationId, location: 'Kerkstraat' });
    expect(acute.ok).toBe(true);
    const update = await emitAck<AnyAck>(s, 'chat:acute', { conversationId, location: 'Dorpsplein' });
    expect(update.error).toMatchObject({ code: 'rate_limited', reason: 'action_limit' });
    expect((await emitAck<AnyAck>(s, 'chat:end', { conversationId })).ok).toBe(true);
    expect((await app().app.store.get(conversationId)).state).toBe('ended');
    expect((await emitAck<AnyAck>(s, 'chat:block', { conversationId })).ok).toBe(true);
    expect((await actionsOf(acct.id)).slice(after.length)).toEqual(['acute', 'end', 'block']);
  });

  it('past the budget a supervisor still blocks what she holds, but not a conversation she never held', async () => {
    // Unbudgeted, a rogue supervisor (or a stolen supervisor cookie) could end every waiting
    // conversation of her lines and keep each visitor's address off the line for BLOCK_HOURS.
    t = await startTestApp();
    const sup = await createOperator(app(), { role: 'supervisor' });
    const s = await connectOperator(app().url, sup.cookie);
    sockets.push(s);
    const mine = await held(s);
    const v = await connectVisitor(app().url);
    sockets.push(v);
    const waiting = String(
      (await emitAck<AnyAck>(v, 'chat:start', { role: 'victim', language: 'nl' })).conversationId,
    );
    await spendBudget(sup.id, 0);

    const refused = await emitAck<AnyAck>(s, 'chat:block', { conversationId: waiting });
    expect(refused.error).toMatchObject({ code: 'rate_limited', reason: 'action_limit' });
    expect((await app().app.store.get(waiting)).state).toBe('waiting');
    expect((await emitAck<AnyAck>(s, 'chat:block', { conversationId: mine.conversationId })).ok).toBe(true);
    expect((await app().app.store.get(mine.conversationId)).state).toBe('ended');
  });
});

describe('consoles per session', () => {
  it(`refuses the /operator socket past SESSION_SOCKETS_MAX of one session, with a reason; another session and a freed place pass`, async () => {
    t = await startTestApp();
    const acct = await createOperator(app());
    const open: OperatorSocket[] = [];
    for (let i = 0; i < SESSION_SOCKETS_MAX; i++) {
      const s = await connectOperator(app().url, acct.cookie);
      sockets.push(s);
      open.push(s);
    }
    const err = await connectOperator(app().url, acct.cookie).then(
      (s) => {
        sockets.push(s);
        return undefined;
      },
      (e: Error & { data?: { reason?: string } }) => e,
    );
    expect(err?.message).toBe('rate_limited');
    expect(err?.data).toMatchObject({ code: 'rate_limited', reason: 'too_many_consoles' });

    // Another session of the same account counts its own.
    const again = await login(app().url, acct.username, acct.password);
    const elsewhere = await connectOperator(app().url, again);
    sockets.push(elsewhere);
    expect(elsewhere.connected).toBe(true);

    // The count is the session's on every instance.
    const other = await startTestApp({ REDIS_PREFIX: app().config.redisPrefix });
    try {
      await expect(connectOperator(other.url, acct.cookie)).rejects.toMatchObject({
        message: 'rate_limited',
        data: { reason: 'too_many_consoles' },
      });
    } finally {
      await other.close();
    }

    // A console closed frees its place.
    open[0]!.disconnect();
    let next: OperatorSocket | undefined;
    await waitFor(async () => {
      next = await connectOperator(app().url, acct.cookie).catch(() => undefined);
      return next !== undefined;
    });
    sockets.push(next!);
  });
});

describe('notes per conversation', () => {
  it('refuses a note past MAX_NOTES, storing and auditing nothing', async () => {
    t = await startTestApp();
    const { acct, s } = await operator();
    const { conversationId } = await held(s);
    for (let i = 0; i < MAX_NOTES; i++) {
      const ack = await emitAck<AnyAck>(s, 'chat:note', { conversationId, text: `n${i}` });
      expect(ack.ok).toBe(true);
    }
    const refused = await emitAck<AnyAck>(s, 'chat:note', { conversationId, text: 'one more' });
    expect(refused.error).toMatchObject({ code: 'too_large', reason: 'notes_full' });
    expect(await app().app.redis.xlen(app().app.keys.notes(conversationId))).toBe(MAX_NOTES);
    expect(count(await actionsOf(acct.id), 'note')).toBe(MAX_NOTES);
  });

  it('refuses a note past MAX_NOTE_BYTES of note text', async () => {
    t = await startTestApp();
    const { s } = await operator();
    const { conversationId } = await held(s);
    const text = '€'.repeat(2000); // 6,000 bytes of UTF-8
    const fit = Math.floor(MAX_NOTE_BYTES / 6000);
    for (let i = 0; i < fit; i++) {
      expect((await emitAck<AnyAck>(s, 'chat:note', { conversationId, text })).ok).toBe(true);
    }
    const refused = await emitAck<AnyAck>(s, 'chat:note', { conversationId, text });
    expect(refused.error).toMatchObject({ code: 'too_large', reason: 'notes_full' });
    expect(await app().app.redis.xlen(app().app.keys.notes(conversationId))).toBe(fit);
  });
});

describe('report submissions per account', () => {
  it('refuses the submission past REPORTS_PER_HOUR before reading it, storing nothing', async () => {
    vr09 = await startFakeVR09();
    t = await startTestApp({ VT_REGIONS_FILE: vr09.regionsFile });
    const { acct, s } = await operator();
    const { conversationId, messageId } = await held(s);
    const submit = (body: unknown) =>
      fetch(`${app().url}/api/conversations/${conversationId}/reports`, {
        method: 'POST',
        headers: { cookie: acct.cookie, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const report = {
      version: 1,
      region: 'VR09',
      acuteDanger: false,
      consent: { status: 'agreed' },
      reporter: { role: 'victim', name: 'Sara', phone: '+31 6 12345678' },
      people: {
        victim: { age: 34, gender: 'female', municipality: 'Utrecht' },
        alleged: { relation: 'partner', livesWithVictim: true },
        children: [],
      },
      violence: { kinds: ['physical'], danger: 'structural', pattern: 'weekly' },
      risk: scoreRisk({ strangulation: 'yes' }),
      contact: { method: 'phone', safeTimes: 'werkdagen 9-12' },
      summary: 'Samenvatting',
      excerpts: [{ messageId }],
    };
    const first = await submit(report);
    expect(first.status).toBe(201);
    // Every submission counts, a refused one too: the limit is checked before the body is read.
    for (let i = 1; i < REPORTS_PER_HOUR; i++) expect((await submit({ version: 1 })).status).toBe(400);
    const refused = await submit(report);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(3000);
    expect(((await refused.json()) as { error: { reason?: string } }).error.reason).toBe('report_limit');
    const list = await fetch(`${app().url}/api/conversations/${conversationId}/reports`, {
      headers: { cookie: acct.cookie },
    });
    expect(((await list.json()) as { reports: unknown[] }).reports).toHaveLength(1);
    expect(count(await actionsOf(acct.id), 'report-submit')).toBe(1);
  });
});

describe('staff REST and sign-ins spend the same budget (they write entries too)', () => {
  type Canned = { id: string; language: string; text: string };
  const send = (cookie: string, method: string, path: string, body?: unknown) =>
    fetch(`${app().url}${path}`, {
      method,
      headers: { cookie, origin: app().url, ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
  const cannedOf = async (cookie: string) =>
    ((await (await send(cookie, 'GET', '/api/canned')).json()) as { canned: Canned[] }).canned;

  it('past the budget a canned save is refused and not made; signing out still works', async () => {
    t = await startTestApp();
    const admin = await createOperator(app(), { role: 'admin' });
    const canned = await cannedOf(admin.cookie);
    const item = canned.find((c) => c.id === 'take-time' && c.language === 'nl') ?? canned[0]!;
    await spendBudget(admin.id, 1);
    expect((await send(admin.cookie, 'PUT', '/api/canned', { ...item, text: 'Eerste.' })).status).toBe(200);
    const refused = await send(admin.cookie, 'PUT', '/api/canned', { ...item, text: 'Tweede.' });
    expect(refused.status).toBe(429);
    expect(await refused.json()).toMatchObject({ error: { code: 'rate_limited', reason: 'action_limit' } });
    const after = await cannedOf(admin.cookie);
    expect(after.find((c) => c.id === item.id && c.language === item.language)?.text).toBe('Eerste.');
    expect(count(await actionsOf(admin.id), 'canned-save')).toBe(1);
    // Giving up a right is never refused.
    expect((await send(admin.cookie, 'POST', '/api/auth/logout')).status).toBeLessThan(300);
  });

  it('a sign-in is never refused for the budget, and a loop of them writes one entry per window', async () => {
    t = await startTestApp();
    const acct = await createOperator(app());
    await spendBudget(acct.id, 0);
    for (let i = 0; i < 5; i++) {
      const cookie = await login(app().url, acct.username, acct.password);
      expect((await send(cookie, 'GET', '/api/auth/me')).status).toBe(200);
      expect((await send(cookie, 'POST', '/api/auth/logout')).status).toBeLessThan(300);
    }
    // createOperator's sign-in and the five above, all within SIGN_IN_AUDIT_WINDOW_MS.
    const actions = await actionsOf(acct.id);
    expect(count(actions, 'login')).toBe(1);
    expect(count(actions, 'logout')).toBe(1);
  });
});
