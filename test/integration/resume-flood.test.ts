/**
 * Security review V1 and V4. A script alternating `chat:leave` and `chat:resume` on one
 * socket must not fill Redis with timers, flood the operator with returns, or decrypt the
 * whole conversation on every resume; and the operator learns whether the visitor came
 * back by resume token (a reconnect) or by return code (maybe someone else).
 */
import { randomUUID } from 'node:crypto';
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

type AnyAck = {
  ok: boolean;
  error?: { code: string; reason?: string; retryAfterSeconds?: number };
  [k: string]: unknown;
};
type Returned = { conversationId: string; by?: string };

/** The conversation hash fields the resume budgets are kept in (resume.ts). */
const BUDGET_FIELDS = ['tokenResumes', 'codeResumes'];

let t: TestApp | undefined;
const sockets: { disconnect(): unknown }[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.disconnect();
  await t?.close();
  t = undefined;
});

const app = () => {
  if (!t) throw new Error('no app');
  return t.app;
};
const conv = (id: string) => app().redis.hgetall(app().keys.conversation(id));
/** The delayed jobs of the conversations queue with this name, for one conversation. */
const delayed = async (name: string, conversationId: string) =>
  (await app().queues.conversations.getDelayed()).filter(
    (j) => j.name === name && (j.data as { conversationId?: string }).conversationId === conversationId,
  );

async function visitor(): Promise<VisitorSocket> {
  const v = await connectVisitor(t!.url);
  sockets.push(v);
  return v;
}

async function operator(): Promise<OperatorSocket> {
  const acct = await createOperator(t!);
  const op = await connectOperator(t!.url, acct.cookie);
  sockets.push(op);
  return op;
}

async function startChat(v: VisitorSocket) {
  const start = await emitAck<AnyAck>(v, 'chat:start', { role: 'victim', language: 'nl', text: 'help' });
  expect(start.ok).toBe(true);
  return {
    id: String(start.conversationId),
    token: String(start.resumeToken),
    code: String(start.returnCode),
  };
}

/** A conversation the operator holds. */
async function activeChat(op: OperatorSocket, v: VisitorSocket) {
  const s = await startChat(v);
  expect((await emitAck<AnyAck>(op, 'chat:accept', { conversationId: s.id })).ok).toBe(true);
  return s;
}

const leave = async (v: VisitorSocket) =>
  expect((await emitAck<AnyAck>(v, 'chat:leave', { reason: 'quick-exit' })).ok).toBe(true);

/** A round trip on the operator's socket: anything the server sent before has arrived. */
const settle = (op: OperatorSocket) => emitAck(op, 'operator:status', { status: 'away' });

describe('leaving and resuming in a loop', () => {
  it('thirty cycles on one socket leave one away-expire and one hold job, for the newest leave', async () => {
    t = await startTestApp({ WORKERS: 'none', SOCKET_EVENTS_PER_S: '100000' });
    const v = await visitor();
    const s = await startChat(v);
    let token = s.token;
    for (let i = 0; i < 30; i++) {
      await leave(v);
      // The resume budget aside (its own test below): this one is about the timers.
      await app().redis.hdel(app().keys.conversation(s.id), ...BUDGET_FIELDS);
      const r = await emitAck<AnyAck>(v, 'chat:resume', { resumeToken: token, lastMessageId: '0-1' });
      expect(r.ok).toBe(true);
      token = String(r.resumeToken);
    }
    await leave(v);
    const awaySince = Number((await conv(s.id)).awaySince);

    const expiries = await delayed('away-expire', s.id);
    expect(expiries).toHaveLength(1);
    // The newest leave's window is the one that counts.
    expect(expiries[0]!.data).toEqual({ conversationId: s.id, awaySince });
    expect(expiries[0]!.opts.delay).toBe(app().config.returnWindowMs);
    expect(await delayed('hold', s.id)).toHaveLength(1);
  });

  it('the newest leave ends the conversation once its own window closes, not an earlier one', async () => {
    // A 3 s window and the workers running: the away-expire job ends it.
    t = await startTestApp({ RETURN_WINDOW_MIN: '0.05' });
    const v = await visitor();
    const s = await startChat(v);
    await leave(v);
    const first = Number((await conv(s.id)).awaySince);
    await new Promise((r) => setTimeout(r, 1_500));
    const r = await emitAck<AnyAck>(v, 'chat:resume', { resumeToken: s.token });
    expect(r.ok).toBe(true);
    await leave(v);
    const second = Number((await conv(s.id)).awaySince);
    expect(second).toBeGreaterThan(first);
    const expiries = await delayed('away-expire', s.id);
    expect(expiries.map((j) => j.data)).toEqual([{ conversationId: s.id, awaySince: second }]);
    await waitFor(async () => (await conv(s.id)).state === 'ended', 15_000, 100);
    const c = await conv(s.id);
    expect(c.endReason).toBe('timeout');
    // Not before the newest window closed.
    expect(Number(c.endedAt)).toBeGreaterThanOrEqual(second + 3_000);
  });

  it('refuses the seventh token resume of a minute, keeps the token, and the operator hears six returns', async () => {
    t = await startTestApp({ WORKERS: 'none', SOCKET_EVENTS_PER_S: '100000' });
    const op = await operator();
    const v = await visitor();
    const s = await activeChat(op, v);
    const returned = collect<Returned>(op, 'chat:visitor-returned');
    let token = s.token;
    for (let i = 0; i < 6; i++) {
      await leave(v);
      const r = await emitAck<AnyAck>(v, 'chat:resume', { resumeToken: token });
      expect(r.ok, `resume ${i + 1}`).toBe(true);
      token = String(r.resumeToken);
    }
    await leave(v);
    const refused = await emitAck<AnyAck>(v, 'chat:resume', { resumeToken: token });
    expect(refused).toMatchObject({ ok: false, error: { code: 'rate_limited', reason: 'resume_limit' } });
    expect(refused.error?.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect(refused.error?.retryAfterSeconds).toBeLessThanOrEqual(60);
    expect(refused.retryAfterSeconds).toBe(refused.error?.retryAfterSeconds);
    await settle(op);
    expect(returned).toHaveLength(6);
    expect((await conv(s.id)).away).toBe('quick-exit');

    // The refused token was not consumed: once the minute is over it resumes.
    await app().redis.hdel(app().keys.conversation(s.id), ...BUDGET_FIELDS);
    const later = await emitAck<AnyAck>(v, 'chat:resume', { resumeToken: token });
    expect(later).toMatchObject({ ok: true, conversationId: s.id });
  });

  it('a token holder who used up the budget cannot keep the return code out', async () => {
    t = await startTestApp({ WORKERS: 'none', SOCKET_EVENTS_PER_S: '100000' });
    const op = await operator();
    const v = await visitor();
    const s = await activeChat(op, v);
    let token = s.token;
    let refusedAt = -1;
    for (let i = 0; i < 7 && refusedAt < 0; i++) {
      await leave(v);
      const r = await emitAck<AnyAck>(v, 'chat:resume', { resumeToken: token });
      if (r.ok) token = String(r.resumeToken);
      else refusedAt = i;
    }
    expect(refusedAt).toBe(6);
    const other = await visitor();
    const back = nextEvent<Returned>(op, 'chat:visitor-returned');
    const r = await emitAck<AnyAck>(other, 'chat:resume', { returnCode: s.code });
    expect(r).toMatchObject({ ok: true, conversationId: s.id });
    expect(await back).toEqual({ conversationId: s.id, by: 'return-code' });
  });

  it('refuses the seventh return-code redemption of a minute, without counting it as a wrong code', async () => {
    t = await startTestApp({ WORKERS: 'none', SOCKET_EVENTS_PER_S: '100000' });
    const op = await operator();
    const v = await visitor();
    const s = await activeChat(op, v);
    const returned = collect<Returned>(op, 'chat:visitor-returned');
    let code = s.code;
    let socket = v;
    for (let i = 0; i < 6; i++) {
      await leave(socket);
      socket = await visitor();
      const r = await emitAck<AnyAck>(socket, 'chat:resume', { returnCode: code });
      expect(r.ok, `redemption ${i + 1}`).toBe(true);
      code = String(r.returnCode);
    }
    await leave(socket);
    const refused = await emitAck<AnyAck>(await visitor(), 'chat:resume', { returnCode: code });
    expect(refused).toMatchObject({ ok: false, error: { code: 'rate_limited', reason: 'resume_limit' } });
    expect(refused.error?.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    await settle(op);
    expect(returned).toHaveLength(6);
    const throttles = await app().redis.keys(app().keys.returnCodeThrottle('*'));
    expect(throttles).toEqual([]);

    // The code was not consumed: once the minute is over it is redeemed.
    await app().redis.hdel(app().keys.conversation(s.id), ...BUDGET_FIELDS);
    const later = await emitAck<AnyAck>(await visitor(), 'chat:resume', { returnCode: code });
    expect(later).toMatchObject({ ok: true, conversationId: s.id });
  });
});

describe('what a resume sends', () => {
  // PROTOCOL.md: without lastMessageId, `missed` holds every message; a flood of such resumes
  // is bounded by the resume budget above (6 a minute), not by cutting what a visitor gets.
  it('sends every missed message, however far back lastMessageId points', async () => {
    t = await startTestApp({ WORKERS: 'none', SOCKET_EVENTS_PER_S: '100000' });
    const op = await operator();
    const v = await visitor();
    const s = await activeChat(op, v);
    await leave(v);
    for (let i = 0; i < 250; i++) {
      const ack = await emitAck<AnyAck>(op, 'chat:message', {
        conversationId: s.id,
        clientMessageId: randomUUID(),
        text: `bericht ${i}`,
      });
      expect(ack.ok).toBe(true);
    }
    const texts = (r: AnyAck) => (r.missed as { text: string }[]).map((m) => m.text);
    const all = await emitAck<AnyAck>(v, 'chat:resume', { resumeToken: s.token });
    expect(all.ok).toBe(true);
    expect(texts(all)).toHaveLength(251);
    expect(texts(all)[1]).toBe('bericht 0');
    expect(texts(all).at(-1)).toBe('bericht 249');

    await leave(v);
    const old = await emitAck<AnyAck>(v, 'chat:resume', {
      resumeToken: String(all.resumeToken),
      lastMessageId: '0-1',
    });
    expect(texts(old)).toHaveLength(251);
    expect(texts(old).at(-1)).toBe('bericht 249');
  });

  it('tells the operator whether the visitor came back by resume token or by return code', async () => {
    t = await startTestApp({ WORKERS: 'none' });
    const op = await operator();
    const v = await visitor();
    const s = await activeChat(op, v);

    await leave(v);
    const byToken = nextEvent<Returned>(op, 'chat:visitor-returned');
    const r = await emitAck<AnyAck>(v, 'chat:resume', { resumeToken: s.token });
    expect(r.ok).toBe(true);
    expect(await byToken).toEqual({ conversationId: s.id, by: 'token' });

    await leave(v);
    const byCode = nextEvent<Returned>(op, 'chat:visitor-returned');
    const other = await visitor();
    expect((await emitAck<AnyAck>(other, 'chat:resume', { returnCode: s.code })).ok).toBe(true);
    expect(await byCode).toMatchObject({ conversationId: s.id, by: 'return-code' });
  });
});
