/**
 * Looks at a conversation's content (`GET /api/conversations/:id`, `supervisor:monitor`)
 * and the end of a read-along (`supervisor:unmonitor`) in the capped audit stream: a repeat
 * of the same look within LOOK_REPEAT_WINDOW_MS is one entry, and an account's distinct
 * looks are budgeted per hour, so that nobody with a script can push older entries (their
 * own earlier looks among them) out of the stream. A look past the budget is refused and
 * nothing is shown or written.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { LOOK_BUDGET_PER_HOUR, LOOK_REPEAT_WINDOW_MS } from '../../server/src/audit/index.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import {
  collect,
  connectOperator,
  createOperator,
  emitAck,
  nextEvent,
  type OperatorSocket,
  type TestOperator,
  waitFor,
} from '../support/clients.ts';
import { auditEntries } from '../support/per-test.ts';

type AnyAck = {
  ok: boolean;
  error?: { code: string; reason?: string; retryAfterSeconds?: number };
  [k: string]: unknown;
};

const SECRET = 'het adres is Kerkstraat 12';

let t: TestApp;
const sockets: OperatorSocket[] = [];
beforeAll(async () => {
  t = await startTestApp();
});
afterEach(() => {
  for (const s of sockets.splice(0)) s.disconnect();
});
afterAll(async () => {
  await t?.close();
});

let addresses = 0;
/** A waiting conversation, started as `chat:start` does, from an address of its own. */
async function waitingConversation(): Promise<string> {
  const started = await t.app.lifecycle.start(
    { role: 'victim', language: 'nl', text: SECRET },
    'test-socket',
    `looks-${addresses}`,
    `looks-net-${addresses++}`,
  );
  return started.conversationId;
}

async function socketOf(acct: TestOperator): Promise<OperatorSocket> {
  const s = await connectOperator(t.url, acct.cookie);
  sockets.push(s);
  return s;
}

/** A conversation held by a fresh operator (assigned to them directly), whose socket hears `chat:monitored`. */
async function heldConversation() {
  const id = await waitingConversation();
  const acct = await createOperator(t);
  let ready: Promise<unknown> = Promise.resolve();
  const s = await connectOperator(t.url, acct.cookie, {
    before: (socket) => {
      ready = nextEvent(socket, 'operator:state');
    },
  });
  sockets.push(s);
  await ready;
  const assigned = nextEvent<{ conversation: { conversationId: string } }>(s, 'chat:assigned', {
    where: (p) => p.conversation.conversationId === id,
  });
  await t.app.router.assignTo(id, acct.id);
  await assigned;
  return { id, operator: s };
}

const read = async (cookie: string, id: string) => {
  const res = await fetch(`${t.url}/api/conversations/${id}`, { headers: { cookie } });
  return { status: res.status, retryAfter: res.headers.get('retry-after'), text: await res.text() };
};
const entries = async (action: string, actor: string, target?: string) =>
  (await auditEntries(t)).filter(
    (e) => e.action === action && e.actor === actor && (target === undefined || e.conversation === target),
  ).length;
const streamLength = () => t.app.redis.xlen(t.app.keys.audit);
/** The repeat window passes for every look recorded so far (its gate keys expire). */
async function windowPasses(): Promise<void> {
  const gates = await t.app.redis.keys(`${t.config.redisPrefix}:audit-once:*monitor:*`);
  for (const gate of gates) {
    const ttl = await t.app.redis.pttl(gate);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(LOOK_REPEAT_WINDOW_MS);
  }
  if (gates.length) await t.app.redis.del(...gates);
}

describe('a repeated look', () => {
  it('GET /api/conversations/:id in a loop, in parallel or not, writes one entry', async () => {
    const sup = await createOperator(t, { role: 'supervisor' });
    const id = await waitingConversation();
    const before = await streamLength();

    const parallel = await Promise.all(Array.from({ length: 15 }, () => read(sup.cookie, id)));
    expect(parallel.map((r) => r.status)).toEqual(Array(15).fill(200));
    expect(parallel[0]!.text).toContain(SECRET);
    for (let i = 0; i < 15; i++) expect((await read(sup.cookie, id)).status).toBe(200);

    expect(await entries('read', sup.id, id)).toBe(1);
    expect(await streamLength()).toBe(before + 1);
  });

  it('supervisor:monitor in a loop and across a reconnect writes one entry, and the operator is never told it stopped while it goes on', async () => {
    const sup = await createOperator(t, { role: 'supervisor' });
    const { id, operator } = await heldConversation();
    const told = collect<{ conversationId: string; watching: boolean }>(operator, 'chat:monitored');

    const first = await socketOf(sup);
    for (let i = 0; i < 8; i++) {
      const ack = await emitAck<AnyAck>(first, 'supervisor:monitor', { conversationId: id });
      expect(ack.ok).toBe(true);
      expect(JSON.stringify(ack)).toContain(SECRET);
    }
    // Reading along goes on: the operator heard `watching: true` only, and no stop was recorded.
    await waitFor(() => told.length >= 8);
    expect(told.filter((m) => !m.watching)).toEqual([]);
    expect(await entries('unmonitor', sup.id, id)).toBe(0);
    expect(await t.app.redis.hget(t.app.keys.conversation(id), 'watchers')).toBe('1');

    // The console reconnects: the new socket asks again, and the supervisor stops and starts
    // once more (a tab switch).
    first.disconnect();
    const second = await socketOf(sup);
    for (let i = 0; i < 4; i++)
      expect((await emitAck<AnyAck>(second, 'supervisor:monitor', { conversationId: id })).ok).toBe(true);
    await emitAck(second, 'supervisor:unmonitor', { conversationId: id });
    expect((await emitAck<AnyAck>(second, 'supervisor:monitor', { conversationId: id })).ok).toBe(true);
    await emitAck(second, 'supervisor:unmonitor', { conversationId: id });

    expect(await entries('monitor', sup.id, id)).toBe(1);
    expect(await entries('unmonitor', sup.id, id)).toBe(1);
  });
});

describe('the look budget', () => {
  it(`refuses an account's looks at more than LOOK_BUDGET_PER_HOUR conversations an hour, writing and showing nothing; another account is unaffected`, async () => {
    const sup = await createOperator(t, { role: 'supervisor' });
    const ids: string[] = [];
    for (let i = 0; i < LOOK_BUDGET_PER_HOUR + 3; i++) ids.push(await waitingConversation());
    const within = ids.slice(0, LOOK_BUDGET_PER_HOUR);
    const [beyond, beyondByMonitor, beyondAgain] = ids.slice(LOOK_BUDGET_PER_HOUR) as [
      string,
      string,
      string,
    ];

    for (let i = 0; i < within.length; i += 10) {
      const batch = await Promise.all(within.slice(i, i + 10).map((id) => read(sup.cookie, id)));
      expect(batch.map((r) => r.status)).toEqual(Array(batch.length).fill(200));
    }
    expect(await entries('read', sup.id)).toBe(LOOK_BUDGET_PER_HOUR);
    const full = await streamLength();

    // One more conversation: refused, without its content, and nothing written.
    const refused = await read(sup.cookie, beyond);
    expect(refused.status).toBe(429);
    const body = JSON.parse(refused.text) as { error: { code: string; retryAfterSeconds: number } };
    expect(body.error.code).toBe('rate_limited');
    expect(body.error.retryAfterSeconds).toBeGreaterThan(0);
    expect(body.error.retryAfterSeconds).toBeLessThanOrEqual(3600);
    expect(refused.retryAfter).toBe(String(body.error.retryAfterSeconds));
    expect(refused.text).not.toContain(SECRET);
    expect((await read(sup.cookie, beyondAgain)).status).toBe(429);

    // The same by reading along: refused as rate limits are on sockets, nobody is watching.
    const s = await socketOf(sup);
    const ack = await emitAck<AnyAck>(s, 'supervisor:monitor', { conversationId: beyondByMonitor });
    expect(ack.ok).toBe(false);
    expect(ack.error?.code).toBe('rate_limited');
    expect(ack.retryAfterSeconds).toBe(ack.error?.retryAfterSeconds);
    expect(JSON.stringify(ack)).not.toContain(SECRET);
    expect(await t.app.redis.hget(t.app.keys.conversation(beyondByMonitor), 'watchers')).toBeNull();
    expect(await streamLength()).toBe(full);

    // A look already recorded, repeated within its window, is still that one look.
    expect((await read(sup.cookie, within[0]!)).status).toBe(200);
    expect(await streamLength()).toBe(full);

    // Another account's budget is its own.
    const other = await createOperator(t, { role: 'supervisor' });
    const otherSocket = await socketOf(other);
    const beforeOther = await streamLength(); // after its sign-in's own entry
    const seen = await read(other.cookie, beyond);
    expect(seen.status).toBe(200);
    expect(seen.text).toContain(SECRET);
    expect(
      (await emitAck<AnyAck>(otherSocket, 'supervisor:monitor', { conversationId: beyondByMonitor })).ok,
    ).toBe(true);
    expect(await entries('read', other.id, beyond)).toBe(1);
    expect(await entries('monitor', other.id, beyondByMonitor)).toBe(1);
    expect(await streamLength()).toBe(beforeOther + 2);
  });

  it("lets the console's busiest ordinary hour through: reading along with conversation after conversation, switching back, reconnecting", async () => {
    const sup = await createOperator(t, { role: 'supervisor' });
    const held = [await heldConversation(), await heldConversation(), await heldConversation()];
    // An hour is 12 windows; in each the supervisor reads along with three conversations in
    // turn, goes back to the first, the console reconnects (and asks again), and they leave
    // the view. That is far more than a shift sees, and far below the budget.
    const windows = Math.ceil(3_600_000 / LOOK_REPEAT_WINDOW_MS);
    for (let w = 0; w < windows; w++) {
      let s = await socketOf(sup);
      let current: string | undefined;
      const click = async (id: string) => {
        if (current !== undefined && current !== id)
          await emitAck(s, 'supervisor:unmonitor', { conversationId: current });
        current = id;
        const ack = await emitAck<AnyAck>(s, 'supervisor:monitor', { conversationId: id });
        expect(ack.ok, JSON.stringify(ack.error)).toBe(true);
      };
      for (const { id } of held) await click(id);
      await click(held[0]!.id);
      await click(held[0]!.id); // the same row clicked again
      s.disconnect();
      s = await socketOf(sup);
      const again = await emitAck<AnyAck>(s, 'supervisor:monitor', { conversationId: current! });
      expect(again.ok).toBe(true);
      await emitAck(s, 'supervisor:unmonitor', { conversationId: current! });
      // The view is left: its console closes (a session opens a few at once at most).
      s.disconnect();
      await windowPasses();
    }
    for (const { id } of held) expect(await entries('monitor', sup.id, id)).toBe(windows);
  });
});
