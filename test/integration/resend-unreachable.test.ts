/**
 * A conversation held on a line the account lost is never sent to it again on connect,
 * even when putting it back in its queue fails (`requeueUnreachable` leaves it held). The
 * adversary: an operator taken off a line because they know the victim, whose console
 * reconnects while the requeue of that victim's conversation keeps failing.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';
import {
  connectOperator,
  connectVisitor,
  createOperator,
  emitAck,
  type OperatorSocket,
  waitFor,
} from '../support/clients.ts';

type AnyAck = { ok: boolean; error?: { code: string; reason?: string }; [k: string]: unknown };
type Assigned = { conversation: { conversationId: string }; messages: unknown[] };

const LINES = [
  { id: 'a', name: 'Lijn A', languages: ['nl', 'en'], hours: '24/7', embedOrigins: [] },
  { id: 'b', name: 'Lijn B', languages: ['nl', 'en'], hours: '24/7', embedOrigins: [] },
];

describe('chat:assigned on connect, for a conversation on a line the account lost', () => {
  let t: TestApp;
  let dir: string;
  const closers: { disconnect(): unknown }[] = [];

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'resend-unreachable-'));
    const file = join(dir, 'lines.json');
    writeFileSync(file, JSON.stringify(LINES));
    t = await startTestApp({ LINES_FILE: file });
  });
  afterEach(async () => {
    vi.restoreAllMocks();
    for (const c of closers.splice(0)) c.disconnect();
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A visitor's conversation on `line`, accepted by the operator's socket `s`. */
  async function held(s: OperatorSocket, line: string): Promise<string> {
    const v = await connectVisitor(t.url);
    closers.push(v);
    const start = await emitAck<AnyAck>(v, 'chat:start', {
      role: 'victim',
      language: 'nl',
      text: 'Hallo',
      line,
    });
    const id = start.conversationId as string;
    await t.app.redis.hset(t.app.keys.conversation(id), 'line', line);
    expect((await emitAck<AnyAck>(s, 'chat:accept', { conversationId: id })).ok).toBe(true);
    return id;
  }

  for (const failure of ['conflict', 'forbidden'] as const) {
    it(`is not sent when its requeue answers ${failure}; a reachable one still is`, async () => {
      const op = await createOperator(t, { lines: ['a', 'b'] });
      const s = await connectOperator(t.url, op.cookie);
      closers.push(s);
      const lost = await held(s, 'a');
      const kept = await held(s, 'b');

      // The requeue of the lost line's conversation fails (as after its three attempts, or
      // a holder check that refuses); every other requeue runs as it does.
      const router = t.app.router;
      const requeue = router.requeue.bind(router);
      vi.spyOn(router, 'requeue').mockImplementation(async (id, ...rest) =>
        id === lost ? { status: failure, noteId: '', movedAt: '' } : requeue(id, ...rest),
      );
      // When the connect's resend is over: an ack sent after it comes after everything it sent.
      let resent: Promise<void> | undefined;
      const resend = router.resendAssigned.bind(router);
      vi.spyOn(router, 'resendAssigned').mockImplementation((...args) => {
        resent = resend(...args);
        return resent;
      });

      const gone = new Promise<void>((resolve) => s.on('disconnect', () => resolve()));
      // As `npm run operator -- set-lines` does it: the store only, no requeue.
      await t.app.operators.setLines(op.id, ['b']);
      await gone;

      const assigned: Assigned[] = [];
      const again = await connectOperator(t.url, op.cookie, {
        before: (x) => x.on('chat:assigned', (p: Assigned) => assigned.push(p)),
      });
      closers.push(again);
      await waitFor(() => resent !== undefined);
      await resent;
      expect((await emitAck<AnyAck>(again, 'operator:status', { status: 'away' })).ok).toBe(true);

      // The requeue was tried and failed: the conversation is still held by the operator.
      expect(router.requeue).toHaveBeenCalledWith(lost, op.id);
      expect(await t.app.redis.hmget(t.app.keys.conversation(lost), 'state', 'operatorId')).toEqual([
        'active',
        op.id,
      ]);
      const sent = assigned.map((p) => p.conversation.conversationId);
      // Positive control: the conversation the account still reaches is sent again, whole.
      expect(sent).toContain(kept);
      expect(assigned.find((p) => p.conversation.conversationId === kept)?.messages.length).toBeGreaterThan(
        0,
      );
      // The one on the lost line is not: not its messages, not its notes, not its existence.
      expect(sent).not.toContain(lost);
      expect(JSON.stringify(assigned)).not.toContain(lost);
    });
  }
});
