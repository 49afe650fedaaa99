/**
 * Issue 12: danger signals in the visitor's words, through the socket contract with a real
 * Redis. A high signal routes a waiting conversation right after the urgent ones and alerts
 * supervisors once per category; after assignment it is shown and routes nothing; the
 * operator may dismiss it (audited, counted); no word of it is ever stored in plain text,
 * logged, or sent to the visitor.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { amsterdamDate } from '@stille-lijn/shared/domain/lines';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';
import {
  collect,
  connectOperator,
  connectVisitor,
  createOperator,
  emitAck,
  nextEvent,
  type OperatorSocket,
  type VisitorSocket,
  waitFor,
} from '../support/clients.ts';

type AnyAck = { ok: boolean; error?: { code: string; reason?: string }; [k: string]: unknown };
type Summary = { category: string; weight: string };
type Span = { messageId: string; start: number; end: number };
type Conv = {
  conversationId: string;
  signals?: (Summary & { spans: Span[] })[];
};
type Item = { conversationId: string; urgent: boolean; signals?: Summary[] };
type Alert = { kind: string; conversationId?: string; signals?: Summary[] };
type Assigned = { conversation: Conv; messages: { messageId: string; text: string; from: string }[] };

/** Strangulation, as the issue quotes a first message. */
const STRANGLED = 'Mijn vriend heeft me gisteren bij mijn keel gepakt. Ik durf niet te bellen.';
const AT_THE_DOOR = 'hij staat voor de deur';
const KNIFE = 'hij heeft een mes';

let t: TestApp;
const sockets: { disconnect(): unknown }[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.disconnect();
  await t?.close();
});

async function visitor(): Promise<VisitorSocket> {
  const v = await connectVisitor(t.url);
  sockets.push(v);
  return v;
}
async function operator(opts: Parameters<typeof createOperator>[1] & { capacity?: number } = {}) {
  const { capacity, ...rest } = opts;
  const acct = await createOperator(t, rest);
  if (capacity) await t.app.operators.setAccess(acct.id, { capacity });
  const s: OperatorSocket = await connectOperator(t.url, acct.cookie);
  sockets.push(s);
  return { acct, s };
}
const start = (v: VisitorSocket, payload: Record<string, unknown>) =>
  emitAck<AnyAck & { conversationId: string }>(v, 'chat:start', {
    role: 'victim',
    language: 'nl',
    ...payload,
  });
const say = (v: VisitorSocket, text: string, id: string) =>
  emitAck<AnyAck & { messageId: string }>(v, 'chat:message', { text, clientMessageId: id });

/**
 * Every plain value stored under the test's prefix (hashes, strings, sets, sorted sets,
 * lists), except the day's signal counts, which PROTOCOL.md allows in plain (no ids).
 */
async function plainValues(): Promise<string> {
  const r = t.app.redis;
  // The counts per category (no ids, no words), of the deployment and of the first line.
  const now = new Date();
  const figures = [
    t.app.keys.signalFigures(now.toISOString().slice(0, 10)),
    t.app.keys.lineDaySignals(t.app.store.lineOf(''), amsterdamDate(now)),
  ];
  const keys = (await r.keys(`${t.config.redisPrefix}:*`)).filter((k) => !figures.includes(k));
  const out: string[] = [];
  for (const k of keys) {
    const type = await r.type(k);
    if (type === 'hash') out.push(k, ...Object.entries(await r.hgetall(k)).flat());
    else if (type === 'string') out.push(k, (await r.get(k)) ?? '');
    else if (type === 'set') out.push(k, ...(await r.smembers(k)));
    else if (type === 'zset') out.push(k, ...(await r.zrange(k, 0, -1)));
    else if (type === 'list') out.push(k, ...(await r.lrange(k, 0, -1)));
    else out.push(k);
  }
  return out.join('\n');
}

describe('danger signals while waiting', () => {
  it('route after urgent and before the rest, oldest first in each tier; alert supervisors once per category', async () => {
    t = await startTestApp();
    const sup = await operator({ role: 'supervisor' });
    const alerts = collect<Alert>(sup.s, 'supervisor:alert');
    const desk = await operator({ capacity: 4 });
    const snapshots = collect<{ waiting: Item[] }>(desk.s, 'queue:snapshot');

    const plain = await start(await visitor(), { text: 'Hallo, ik wil graag even praten.' });
    await sleep(5);
    const strangled = await start(await visitor(), { text: STRANGLED });
    await sleep(5);
    const later = await visitor();
    const door = await start(later, { text: 'Hoi' });
    await sleep(5);
    const urgent = await start(await visitor(), { urgent: true });
    expect([plain, strangled, door, urgent].every((a) => a.ok)).toBe(true);

    // A later message raises a signal on a conversation that waits: a new snapshot follows.
    expect((await say(later, AT_THE_DOOR, 'm-1')).ok).toBe(true);
    const order = [urgent, strangled, door, plain].map((a) => a.conversationId);
    await waitFor(() => {
      const last = snapshots.at(-1)?.waiting ?? [];
      return last.map((i) => i.conversationId).join() === order.join();
    });
    const items = snapshots.at(-1)!.waiting;
    const byId = new Map(items.map((i) => [i.conversationId, i]));
    expect(byId.get(strangled.conversationId)!.signals).toEqual([
      { category: 'strangulation', weight: 'high' },
    ]);
    expect(byId.get(door.conversationId)!.signals).toEqual([{ category: 'imminent', weight: 'high' }]);
    expect(byId.get(plain.conversationId)!.signals).toBeUndefined();
    // Queue items hold categories and weights only, never a word of the visitor's.
    expect(JSON.stringify(items)).not.toMatch(/keel|deur|spans/);

    // Supervisors: one danger-signal alert per conversation and category, even when the
    // words come again.
    await waitFor(() => alerts.filter((a) => a.kind === 'danger-signal').length >= 2);
    expect((await say(later, `${AT_THE_DOOR}!!`, 'm-2')).ok).toBe(true);
    await sleep(300);
    const signalAlerts = alerts.filter((a) => a.kind === 'danger-signal');
    expect(signalAlerts).toHaveLength(2);
    expect(signalAlerts.map((a) => a.conversationId).sort()).toEqual(
      [strangled.conversationId, door.conversationId].sort(),
    );
    expect(signalAlerts.find((a) => a.conversationId === door.conversationId)!.signals).toEqual([
      { category: 'imminent', weight: 'high' },
    ]);
    expect(JSON.stringify(signalAlerts)).not.toMatch(/deur|keel/);

    // The operator takes them in routing order; the conversation carries the spans, which
    // point at the words in messages the operator has.
    const assigned = collect<Assigned>(desk.s, 'chat:assigned');
    await emitAck(desk.s, 'operator:status', { status: 'available' });
    await waitFor(() => assigned.length === 4);
    expect(assigned.map((a) => a.conversation.conversationId)).toEqual(order);
    const s = assigned[1]!;
    const signal = s.conversation.signals!.find((x) => x.category === 'strangulation')!;
    expect(signal.weight).toBe('high');
    const words = signal.spans.map((span) => {
      const m = s.messages.find((x) => x.messageId === span.messageId)!;
      return m.text.slice(span.start, span.end).toLowerCase();
    });
    expect(words.join(' ')).toContain('keel');
    const d = assigned[2]!.conversation.signals!.find((x) => x.category === 'imminent')!;
    expect(new Set(d.spans.map((x) => x.messageId)).size).toBe(2);

    // Nothing of it is stored in plain text: not the words, not even the category.
    const stored = await plainValues();
    expect(stored).not.toMatch(/keel|deur|strangulation|imminent/);
    expect(t.logs.join('\n')).not.toMatch(/keel|deur|strangulation|imminent/);
  });

  it('a first message without danger words, or with "keel" from crying, changes nothing', async () => {
    t = await startTestApp();
    const sup = await operator({ role: 'supervisor' });
    const alerts = collect<Alert>(sup.s, 'supervisor:alert');
    const desk = await operator();
    const snapshots = collect<{ waiting: Item[] }>(desk.s, 'queue:snapshot');
    const a = await start(await visitor(), { text: 'Mijn keel doet pijn van het huilen.' });
    const b = await start(await visitor(), { text: 'Ik maak me zorgen om mijn zus.' });
    await waitFor(() => (snapshots.at(-1)?.waiting.length ?? 0) === 2);
    const items = snapshots.at(-1)!.waiting;
    expect(items.map((i) => i.conversationId)).toEqual([a.conversationId, b.conversationId]);
    expect(items.every((i) => i.signals === undefined)).toBe(true);
    await sleep(200);
    expect(alerts.filter((x) => x.kind === 'danger-signal')).toHaveLength(0);
  });

  it('stays fast on 2,000 characters of repeated trigger words, and never errors on a language it lacks', async () => {
    t = await startTestApp({ CONVERSATION_MAX_KB: '64' });
    const v = await visitor();
    expect((await start(v, { language: 'tr', text: 'Merhaba' })).ok).toBe(true);
    const long = 'gewurgd keel mes vermoord '.repeat(80).slice(0, 2000);
    const began = performance.now();
    const ack = await say(v, long, 'long-1');
    expect(ack.ok).toBe(true);
    expect(performance.now() - began).toBeLessThan(2000);
    const emoji = await say(v, '😢🙏 ﷽ Ⅻ \u200b', 'emoji-1');
    expect(emoji.ok).toBe(true);
  });
});

describe('danger signals after assignment', () => {
  it('are shown to the holder (chat:updated) without routing or alerts; dismissal is the holder’s, audited and counted', async () => {
    t = await startTestApp();
    const sup = await operator({ role: 'supervisor' });
    const alerts = collect<Alert>(sup.s, 'supervisor:alert');
    const desk = await operator();
    const other = await operator();
    const assigned = nextEvent<Assigned>(desk.s, 'chat:assigned');
    await emitAck(desk.s, 'operator:status', { status: 'available' });
    const v = await visitor();
    const ack = await start(v, { text: 'Hallo' });
    expect((await assigned).conversation.conversationId).toBe(ack.conversationId);

    const updated = nextEvent<{ conversation: Conv }>(desk.s, 'chat:updated', {
      where: (u) => (u.conversation.signals?.length ?? 0) > 0,
    });
    const visitorEvents: string[] = [];
    v.onAny((event: string, payload: unknown) => visitorEvents.push(event, JSON.stringify(payload)));
    const m = await say(v, KNIFE, 'k-1');
    expect(m.ok).toBe(true);
    const c = (await updated).conversation;
    expect(c.signals).toEqual([
      { category: 'weapon', weight: 'high', spans: [expect.objectContaining({ messageId: m.messageId })] },
    ]);
    const span = c.signals![0]!.spans[0]!;
    expect(KNIFE.slice(span.start, span.end)).toMatch(/mes/);
    await sleep(300);
    expect(alerts.filter((a) => a.kind === 'danger-signal')).toHaveLength(0);
    // The visitor never hears of it.
    expect(visitorEvents.join(' ')).not.toMatch(/weapon|signal/);

    // Bad input changes nothing; a stranger may not dismiss.
    const bad = await emitAck<AnyAck>(desk.s, 'signal:dismiss', {
      conversationId: ack.conversationId,
      category: 'snake',
    });
    expect(bad.error?.code).toBe('invalid_payload');
    const stranger = await emitAck<AnyAck>(other.s, 'signal:dismiss', {
      conversationId: ack.conversationId,
      category: 'weapon',
    });
    expect(stranger.error?.code).toBe('forbidden');
    const none = await emitAck<AnyAck>(desk.s, 'signal:dismiss', {
      conversationId: ack.conversationId,
      category: 'suicide',
    });
    expect(none.error?.code).toBe('not_found');

    const dismissed = await emitAck<AnyAck & { conversation: Conv }>(desk.s, 'signal:dismiss', {
      conversationId: ack.conversationId,
      category: 'weapon',
    });
    expect(dismissed.ok).toBe(true);
    expect(dismissed.conversation.signals).toBeUndefined();
    const audit = await t.app.redis.xrange(`${t.config.redisPrefix}:audit`, '-', '+');
    const entry = audit.map(([, kv]) => kv).find((kv) => kv.includes('signal-dismiss'));
    expect(entry).toBeDefined();
    expect(entry).toContain(ack.conversationId);
    expect(entry!.join(' ')).not.toMatch(/mes|weapon/);

    const stats = await fetch(`${t.url}/api/stats`, { headers: { cookie: sup.acct.cookie } });
    const body = (await stats.json()) as {
      signalsToday: Record<string, { raised: number; dismissed: number }>;
    };
    expect(body.signalsToday.weapon).toEqual({ raised: 1, dismissed: 1 });
  });
});
