import type { Socket } from 'socket.io-client';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';
import { collect, connectOperator, connectVisitor, createOperator, waitFor } from '../support/clients.ts';
import { type SentinelCluster, startSentinelCluster } from './cluster.ts';

type AnyAck = { ok: boolean; error?: { code: string }; [k: string]: unknown };

/** Emits until acknowledged with ok (a failover answers `unavailable` meanwhile). */
async function untilOk(socket: Socket, event: string, payload: unknown): Promise<AnyAck> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    try {
      const res = (await socket.timeout(2000).emitWithAck(event, payload)) as AnyAck;
      if (res.ok) return res;
    } catch {
      // no ack in time: again
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${event} never acknowledged`);
}

describe('a Sentinel failover during routing', () => {
  let cluster: SentinelCluster | undefined;
  let t: TestApp | undefined;
  const sockets: Socket[] = [];
  afterEach(async () => {
    for (const s of sockets.splice(0)) s.disconnect();
    await t?.close();
    await cluster?.destroy();
    t = undefined;
    cluster = undefined;
  });

  it('assigns every waiting conversation to exactly one operator, none dropped', async () => {
    cluster = await startSentinelCluster({ replicas: 2, sentinels: 3 });
    t = await startTestApp({
      REDIS_SENTINELS: cluster.sentinelList,
      REDIS_ACK_REPLICAS: '1',
      OPERATOR_CAPACITY: '3',
    });
    const app = t;
    // One login after the other: the server checks two passwords at once per address.
    const operators: {
      id: string;
      socket: Socket;
      assigned: { conversation: { conversationId: string } }[];
    }[] = [];
    for (let i = 0; i < 3; i++) {
      operators.push(
        await (async () => {
          const acct = await createOperator(app);
          const socket = (await connectOperator(app.url, acct.cookie)) as unknown as Socket;
          sockets.push(socket);
          return {
            id: acct.id,
            socket,
            assigned: collect<{ conversation: { conversationId: string } }>(socket, 'chat:assigned'),
          };
        })(),
      );
    }
    const conversationIds: string[] = [];
    for (let i = 0; i < 9; i++) {
      const v = (await connectVisitor(app.url)) as unknown as Socket;
      sockets.push(v);
      const start = (await v.emitWithAck('chat:start', { role: 'victim', language: 'nl' })) as AnyAck;
      expect(start.ok).toBe(true);
      conversationIds.push(String(start.conversationId));
    }

    // All three become available at once, and the primary dies while they are routed.
    const first = cluster.nodes[0]!;
    const available = operators.map((o) => untilOk(o.socket, 'operator:status', { status: 'available' }));
    await new Promise((r) => setTimeout(r, 5));
    await first.kill('SIGKILL');
    await Promise.all(available);
    await cluster.waitForFailover(first.port, 1);

    // Every conversation ends up active with one operator (the sweep repairs a lost pass).
    const holders = async () =>
      Promise.all(conversationIds.map(async (id) => (await app.app.store.get(id)).operatorId));
    await waitFor(
      async () => {
        try {
          return (await holders()).every((h) => operators.some((o) => o.id === h));
        } catch {
          return false;
        }
      },
      45_000,
      200,
    );
    const byConversation = await holders();
    const states = await Promise.all(conversationIds.map(async (id) => (await app.app.store.get(id)).state));
    expect(states).toEqual(conversationIds.map(() => 'active'));
    // Each operator's set of conversations agrees with the conversations, and no two overlap.
    const sets = await Promise.all(
      operators.map((o) => app.app.redis.smembers(app.app.keys.operatorConversations(o.id))),
    );
    expect(sets.flat().sort()).toEqual([...conversationIds].sort());
    operators.forEach((o, i) => {
      const mine = conversationIds.filter((_, k) => byConversation[k] === o.id);
      expect(sets[i]!.sort()).toEqual(mine.sort());
      expect(mine.length).toBeLessThanOrEqual(3);
    });
    // No conversation was offered to two operators.
    const seenBy = new Map<string, Set<string>>();
    for (const o of operators) {
      for (const a of o.assigned) {
        const id = a.conversation.conversationId;
        seenBy.set(id, (seenBy.get(id) ?? new Set()).add(o.id));
      }
    }
    for (const [id, ops] of seenBy) expect(ops.size, id).toBe(1);
  });
});
