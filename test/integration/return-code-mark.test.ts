/**
 * Security review V4, beyond one console tab: someone who comes back with the return code
 * may not be the person who wrote before. The time of the last redemption is kept with the
 * conversation (`Conversation.returnCodeUsedAt`), so that whoever holds it next (a
 * colleague it is transferred to, an operator accepting it from the queue, a reloaded
 * console) is warned too; a reconnect by resume token never sets it, and the visitor is
 * never shown it.
 */
import type { Conversation } from '@stille-lijn/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';
import {
  connectOperator,
  connectVisitor,
  createOperator,
  emitAck,
  nextEvent,
  type OperatorSocket,
  type TestOperator,
  type VisitorSocket,
} from '../support/clients.ts';

type AnyAck = { ok: boolean; error?: { code: string; reason?: string }; [k: string]: unknown };
type Assigned = { conversation: Conversation };

let t: TestApp | undefined;
const sockets: { disconnect(): unknown }[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.disconnect();
  await t?.close();
  t = undefined;
});

/** Everything a visitor socket is sent (event name and payload), and its acks, as JSON text. */
const visitorSaw: string[] = [];
afterEach(() => {
  visitorSaw.length = 0;
});

async function visitor(): Promise<VisitorSocket> {
  const v = await connectVisitor(t!.url);
  v.onAny((event: string, ...args: unknown[]) => visitorSaw.push(JSON.stringify([event, ...args])));
  sockets.push(v);
  return v;
}

/** A visitor's acknowledged emit, its answer kept with what the visitor saw. */
async function visitorAck(v: VisitorSocket, event: string, payload: unknown): Promise<AnyAck> {
  const ack = await emitAck<AnyAck>(v, event, payload);
  visitorSaw.push(JSON.stringify([`ack:${event}`, ack]));
  expect(ack.ok).toBe(true);
  return ack;
}

async function operator(): Promise<{ account: TestOperator; socket: OperatorSocket }> {
  const account = await createOperator(t!);
  const socket = await connectOperator(t!.url, account.cookie);
  sockets.push(socket);
  return { account, socket };
}

async function startChat(v: VisitorSocket) {
  const start = await visitorAck(v, 'chat:start', { role: 'victim', language: 'nl', text: 'help' });
  return {
    id: String(start.conversationId),
    token: String(start.resumeToken),
    code: String(start.returnCode),
  };
}

const leave = (v: VisitorSocket) => visitorAck(v, 'chat:leave', { reason: 'quick-exit' });

/** Someone else comes back with the code; resolves with the moments around the redemption. */
async function redeem(code: string) {
  const before = Date.now();
  const other = await visitor();
  const ack = await visitorAck(other, 'chat:resume', { returnCode: code });
  return { other, ack, before, after: Date.now() };
}

async function getJson<T>(path: string, cookie: string): Promise<T> {
  const res = await fetch(`${t!.url}${path}`, { headers: { cookie } });
  expect(res.status).toBe(200);
  return (await res.json()) as T;
}

const expectWithin = (iso: string | undefined, from: number, to: number) => {
  expect(iso).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  // The stored time is the server's, in whole milliseconds.
  const ms = Date.parse(iso!);
  expect(ms).toBeGreaterThanOrEqual(from);
  expect(ms).toBeLessThanOrEqual(to);
};

/** Nothing the visitor was sent, nor any ack they got, names the mark. */
const expectVisitorNeverSawIt = () => {
  expect(visitorSaw.length).toBeGreaterThan(0);
  for (const seen of visitorSaw) {
    expect(seen).not.toContain('returnCodeUsedAt');
    expect(seen).not.toContain('rcAt');
  }
};

describe('the return-code mark travels with the conversation', () => {
  it('a colleague it is transferred to after a redemption is warned, over the socket and over REST', async () => {
    t = await startTestApp({ WORKERS: 'none' });
    const anna = await operator();
    const bram = await operator();
    const v = await visitor();
    const s = await startChat(v);
    expect((await emitAck<AnyAck>(anna.socket, 'chat:accept', { conversationId: s.id })).ok).toBe(true);

    await leave(v);
    v.disconnect();
    const r = await redeem(s.code);
    // Whoever holds the code now reconnects by token: the mark stays as it was.
    await leave(r.other);
    await visitorAck(r.other, 'chat:resume', { resumeToken: String(r.ack.resumeToken) });

    const assigned = nextEvent<Assigned>(bram.socket, 'chat:assigned');
    const moved = await emitAck<AnyAck>(anna.socket, 'chat:transfer', {
      conversationId: s.id,
      to: { operatorId: bram.account.id },
    });
    expect(moved.ok).toBe(true);
    const { conversation } = await assigned;
    expectWithin(conversation.returnCodeUsedAt, r.before, r.after);

    // A reload of Bram's console reads the same over REST.
    const view = await getJson<{ conversation: Conversation }>(
      `/api/conversations/${s.id}`,
      bram.account.cookie,
    );
    expect(view.conversation.returnCodeUsedAt).toBe(conversation.returnCodeUsedAt);
    const mine = await getJson<{ conversations: Conversation[] }>('/api/conversations', bram.account.cookie);
    expect(mine.conversations.find((c) => c.conversationId === s.id)?.returnCodeUsedAt).toBe(
      conversation.returnCodeUsedAt,
    );
    expectVisitorNeverSawIt();
  });

  it('a redemption while it waits warns the operator who accepts it, and a later one moves the time on', async () => {
    t = await startTestApp({ WORKERS: 'none' });
    const anna = await operator();
    const v = await visitor();
    const s = await startChat(v);

    await leave(v);
    v.disconnect();
    const first = await redeem(s.code);
    const accepted = await emitAck<AnyAck & Assigned>(anna.socket, 'chat:accept', { conversationId: s.id });
    expect(accepted.ok).toBe(true);
    expectWithin(accepted.conversation.returnCodeUsedAt, first.before, first.after);

    // Redeemed again (with the new code the last redemption gave): the newest time.
    await leave(first.other);
    first.other.disconnect();
    const second = await redeem(String(first.ack.returnCode));
    const view = await getJson<{ conversation: Conversation }>(
      `/api/conversations/${s.id}`,
      anna.account.cookie,
    );
    expectWithin(view.conversation.returnCodeUsedAt, second.before, second.after);
    expectVisitorNeverSawIt();
  });

  it('a reconnect by resume token never sets it', async () => {
    t = await startTestApp({ WORKERS: 'none' });
    const anna = await operator();
    const bram = await operator();
    const v = await visitor();
    const s = await startChat(v);
    expect((await emitAck<AnyAck>(anna.socket, 'chat:accept', { conversationId: s.id })).ok).toBe(true);

    await leave(v);
    await visitorAck(v, 'chat:resume', { resumeToken: s.token });

    const assigned = nextEvent<Assigned>(bram.socket, 'chat:assigned');
    expect(
      (
        await emitAck<AnyAck>(anna.socket, 'chat:transfer', {
          conversationId: s.id,
          to: { operatorId: bram.account.id },
        })
      ).ok,
    ).toBe(true);
    const { conversation } = await assigned;
    expect(conversation.state).toBe('active');
    expect(conversation).not.toHaveProperty('returnCodeUsedAt');
    const view = await getJson<{ conversation: Conversation }>(
      `/api/conversations/${s.id}`,
      bram.account.cookie,
    );
    expect(view.conversation).not.toHaveProperty('returnCodeUsedAt');
  });
});
