/**
 * Review finding V2: a visitor who repeats trigger words must not grow the conversation's
 * sealed signals without limit, nor make every message cost a full re-send of them to the
 * operator. The spans the console needs to mark the newest words still arrive.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_STORED_SPANS, SPAN_PUSH_INTERVAL_MS } from '../../server/src/signals/index.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import {
  collect,
  connectOperator,
  connectVisitor,
  createOperator,
  emitAck,
  nextEvent,
  waitFor,
} from '../support/clients.ts';

type AnyAck = { ok: boolean; error?: { code: string; reason?: string }; [k: string]: unknown };
type Span = { messageId: string; start: number; end: number };
type Conv = { conversationId: string; signals?: { category: string; weight: string; spans: Span[] }[] };

let t: TestApp;
const sockets: { disconnect(): unknown }[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.disconnect();
  await t?.close();
});

/** 32 separate "mes" (knife): as many weapon spans as the reader gives one message. */
const KNIVES = 'mes '.repeat(32);
const MESSAGES = 200;

describe('danger-signal spans stay bounded however long the visitor repeats them', () => {
  it('keeps at most the cap per category, whole messages, the newest; the holder gets a few chat:updated', async () => {
    t = await startTestApp();
    const acct = await createOperator(t);
    const desk = await connectOperator(t.url, acct.cookie);
    sockets.push(desk);
    const assigned = nextEvent<{ conversation: Conv }>(desk, 'chat:assigned');
    await emitAck(desk, 'operator:status', { status: 'available' });
    const v = await connectVisitor(t.url);
    sockets.push(v);
    const start = await emitAck<AnyAck & { conversationId: string }>(v, 'chat:start', {
      role: 'victim',
      language: 'nl',
      text: 'Hallo',
    });
    expect(start.ok).toBe(true);
    await assigned;

    const updates = collect<{ conversation: Conv }>(desk, 'chat:updated');
    const began = Date.now();
    let last = '';
    for (let i = 0; i < MESSAGES; i++) {
      const ack = await emitAck<AnyAck & { messageId: string }>(v, 'chat:message', {
        text: KNIVES,
        clientMessageId: `k-${i}`,
      });
      expect(ack.ok).toBe(true);
      last = ack.messageId;
    }
    const elapsed = Date.now() - began;

    // The console still learns where the newest message's words are.
    const weaponOf = (c: Conv) => c.signals?.find((s) => s.category === 'weapon');
    await waitFor(
      () => updates.some((u) => weaponOf(u.conversation)?.spans.some((s) => s.messageId === last)),
      SPAN_PUSH_INTERVAL_MS * 3,
    );

    // What is stored is bounded: whole messages, the newest kept.
    const stored = t.app.store.signalsOf(await t.app.store.get(start.conversationId));
    const weapon = stored.find((s) => s.category === 'weapon')!;
    expect(weapon.spans.length).toBeLessThanOrEqual(MAX_STORED_SPANS);
    const perMessage = new Map<string, number>();
    for (const s of weapon.spans) perMessage.set(s.messageId, (perMessage.get(s.messageId) ?? 0) + 1);
    expect([...perMessage.values()].every((n) => n === 32)).toBe(true);
    expect(perMessage.has(last)).toBe(true);
    const shown = weaponOf(updates.at(-1)!.conversation)!;
    expect(shown.spans.length).toBeLessThanOrEqual(MAX_STORED_SPANS);
    expect(KNIVES.slice(shown.spans.at(-1)!.start, shown.spans.at(-1)!.end)).toBe('mes');

    // One push when the category appeared, then at most one per interval while spans pile up.
    expect(updates.length).toBeLessThanOrEqual(Math.ceil(elapsed / SPAN_PUSH_INTERVAL_MS) + 2);
    expect(updates.length).toBeLessThan(MESSAGES / 4);
  }, 120_000);
});
