/**
 * Conversations open at a deploy keep working: Redis as release 1 left it mid-shift
 * (`test/fixtures/migration/release-1.json`, written by `generate.ts`) is restored, its
 * clocks moved to now, and today's server carries on with it, then again after the data
 * key is rotated. Release 1 hashed tokens and codes under a key derived from the data key,
 * sealed ciphertexts as v1 (bound to the conversation only) and kept one waiting set.
 */
import { readFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { jobServices, sweep } from '../../server/src/routing/jobs.ts';
import { startTestApp, TEST_HASH_KEY, type TestApp } from '../support/app.ts';
import {
  connectOperator,
  connectVisitor,
  createOperator,
  emitAck,
  nextEvent,
  type OperatorSocket,
} from '../support/clients.ts';

interface FixtureConversation {
  conversationId: string;
  firstText: string;
  resumeToken: string;
  returnCode: string;
  language: string;
  messages: { messageId: string; from: string; text: string }[];
}
interface Fixture {
  release: string;
  /** Release 1 had no HASH_KEY: its tokens and codes are hashed under the data key. */
  hashKey?: string;
  generatedAt: number;
  prefix: string;
  dataKey: string;
  operator: { id: string; cookie: string };
  note: { noteId: string; text: string };
  conversations: Record<
    'waitingTr' | 'waitingPlUrgent' | 'active' | 'away' | 'ended' | 'resumable',
    FixtureConversation
  >;
  keys: { key: string; pttl: number; dump: string }[];
}
type AnyAck = { ok: boolean; error?: { code: string }; [k: string]: unknown };
type Assigned = {
  conversation: { conversationId: string; tags: string[]; acute?: { location?: string } };
  messages: { text: string; from: string }[];
  notes: { text: string }[];
};

const load = (name: string) =>
  JSON.parse(readFileSync(new URL(`../fixtures/migration/${name}.json`, import.meta.url), 'utf8')) as Fixture;
const fixtures = [load('release-1'), load('release-2')];
const URGENT_OFFSET = 10_000_000_000_000;

/**
 * Restores every key of the fixture and moves its clocks by `delta` ms: any hash field or
 * sorted-set score that is a time within the generation's day (also behind the urgent
 * offset, or as BullMQ's `ms * 4096 + counter`).
 */
async function restore(fixture: Fixture, redis: Redis, delta: number): Promise<void> {
  const lo = fixture.generatedAt - 2 * 3_600_000;
  const hi = fixture.generatedAt + 2 * 86_400_000;
  const isTime = (n: number) => Number.isFinite(n) && n >= lo && n <= hi;
  const shifted = (score: number): number => {
    if (isTime(score)) return score + delta;
    if (isTime(score - URGENT_OFFSET)) return score + delta;
    if (isTime(Math.floor(score / 4096))) return score + delta * 4096;
    return score;
  };
  const old = await redis.keys(`${fixture.prefix}:*`);
  if (old.length > 0) await redis.del(...old);
  for (const k of fixture.keys) {
    await redis.restore(k.key, Math.max(0, k.pttl), Buffer.from(k.dump, 'base64'), 'REPLACE');
    const type = await redis.type(k.key);
    if (type === 'hash') {
      const h = await redis.hgetall(k.key);
      const moved = Object.entries(h).filter(([, v]) => /^\d{13}$/.test(v) && isTime(Number(v)));
      for (const [f, v] of moved) await redis.hset(k.key, f, String(Number(v) + delta));
    } else if (type === 'zset') {
      const z = await redis.zrange(k.key, 0, -1, 'WITHSCORES');
      for (let i = 0; i < z.length; i += 2) {
        const s = Number(z[i + 1]);
        if (shifted(s) !== s) await redis.zadd(k.key, shifted(s), z[i]!);
      }
    }
  }
}

describe.each(fixtures)('an upgrade from release $release with conversations open', (fixture) => {
  let t: TestApp;
  let raw: Redis;
  let op: OperatorSocket;
  const assigned = new Map<string, Assigned>();
  const sockets: { disconnect(): unknown }[] = [];
  const c = fixture.conversations;

  beforeAll(async () => {
    raw = new Redis(inject('redisUrl'));
    await restore(fixture, raw, Date.now() - fixture.generatedAt);
    t = await startTestApp({
      REDIS_PREFIX: fixture.prefix,
      DATA_KEY: fixture.dataKey,
      HASH_KEY: fixture.hashKey ?? TEST_HASH_KEY,
      RETURN_WINDOW_MIN: '60',
      OPERATOR_GRACE_S: '600',
    });
  });
  afterAll(async () => {
    for (const s of sockets.splice(0)) s.disconnect();
    await t?.close();
    const left = await raw.keys(`${fixture.prefix}:*`);
    if (left.length > 0) await raw.del(...left);
    raw.disconnect();
  });

  it("moves the waiting conversations into the first line's sets of their languages, keeping urgent first", async () => {
    await sweep(jobServices(t.app));
    const p = fixture.prefix;
    // Release 1's single set and release 2's per-language sets are drained.
    expect(await raw.exists(`${p}:waiting`, `${p}:waiting:tr`, `${p}:waiting:pl`, `${p}:fallback`)).toBe(0);
    // Version 2 (lines): records without `line` belong to the first line (`default` here).
    expect(await raw.zrange(`${p}:waiting:default:tr`, 0, -1)).toEqual([c.waitingTr.conversationId]);
    expect(await raw.zrange(`${p}:waiting:default:pl`, 0, -1)).toEqual([c.waitingPlUrgent.conversationId]);
    const list = await t.app.queueView.waitingList();
    expect(list.map((w) => w.conversationId)).toEqual([
      c.waitingPlUrgent.conversationId,
      c.waitingTr.conversationId,
    ]);
    expect(list.map((w) => w.line)).toEqual(['default', 'default']);
  });

  it('drains what an instance of the release before lines still writes during a rolling upgrade, fallback included', async () => {
    const p = fixture.prefix;
    const id = c.waitingTr.conversationId;
    const score = await raw.zscore(`${p}:waiting:default:tr`, id);
    // An old instance puts it back in its own language's set and on the one fallback set.
    await raw.zrem(`${p}:waiting:default:tr`, id);
    await raw.zadd(`${p}:waiting:tr`, score!, id);
    await raw.zadd(`${p}:fallback`, Number(score) + 1, id);
    await sweep(jobServices(t.app));
    expect(await raw.exists(`${p}:waiting:tr`, `${p}:fallback`)).toBe(0);
    expect(await raw.zscore(`${p}:waiting:default:tr`, id)).toBe(score);
    expect(await raw.zscore(`${p}:fallback:default`, id)).toBe(String(Number(score) + 1));
    await raw.zrem(`${p}:fallback:default`, id);
  });

  it('lets the operator back in with her session and gives her every conversation, decrypted', async () => {
    op = await connectOperator(t.url, fixture.operator.cookie);
    sockets.push(op);
    op.on('chat:assigned', (p: Assigned) => assigned.set(p.conversation.conversationId, p));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('not all conversations re-sent')), 10_000);
      const check = () => {
        if (assigned.size >= 3) {
          clearTimeout(timer);
          resolve();
        } else setTimeout(check, 50);
      };
      check();
    });
    const active = assigned.get(c.active.conversationId)!;
    expect(active.messages.map((m) => m.text)).toEqual([
      c.active.firstText,
      ...c.active.messages.map((m) => m.text),
    ]);
    expect(active.notes.map((n) => n.text)).toEqual([fixture.note.text]);
    expect(active.conversation.tags).toEqual(['physical', 'psychological']);
    expect(active.conversation.acute?.location).toBe('Dorpsstraat 1, Utrecht');
    expect(assigned.has(c.resumable.conversationId)).toBe(true);
    expect(assigned.has(c.away.conversationId)).toBe(true);
  });

  it('resumes a visitor by the token that release gave her, with what she missed', async () => {
    const v = await connectVisitor(t.url);
    sockets.push(v);
    const r = await emitAck<AnyAck>(v, 'chat:resume', { resumeToken: c.resumable.resumeToken });
    expect(r.ok).toBe(true);
    expect((r.missed as { text: string }[]).map((m) => m.text)).toEqual([
      c.resumable.firstText,
      ...c.resumable.messages.map((m) => m.text),
    ]);
    // And the conversation goes on, old and new ciphertexts side by side.
    const got = nextEvent<{ text: string }>(op, 'chat:message');
    expect(
      (await emitAck<AnyAck>(v, 'chat:message', { clientMessageId: 'na-upgrade', text: 'Nog steeds hier' }))
        .ok,
    ).toBe(true);
    expect((await got).text).toBe('Nog steeds hier');
    const all = await t.app.store.messages(c.resumable.conversationId, { forOperator: true });
    expect(all.map((m) => m.text).at(-1)).toBe('Nog steeds hier');
  });

  it('lets the visitor who quick-exited come back with the return code that release gave her, showing nothing old', async () => {
    const back = nextEvent<{ conversationId: string }>(op, 'chat:visitor-returned');
    const v = await connectVisitor(t.url);
    sockets.push(v);
    const r = await emitAck<AnyAck>(v, 'chat:resume', { returnCode: c.away.returnCode });
    expect(r.ok).toBe(true);
    expect(r.missed).toBeUndefined();
    expect((await back).conversationId).toBe(c.away.conversationId);
    const again = await emitAck<AnyAck>(v, 'chat:resume', { resumeToken: String(r.resumeToken) });
    expect(again.missed).toEqual([]);
  });

  it('routes a waiter of that release to an operator who speaks its language, with its words', async () => {
    const tr = await createOperator(t, { languages: ['tr'] });
    const s = await connectOperator(t.url, tr.cookie);
    sockets.push(s);
    const got = nextEvent<Assigned>(s, 'chat:assigned');
    await emitAck(s, 'operator:status', { status: 'available' });
    const a = await got;
    expect(a.conversation.conversationId).toBe(c.waitingTr.conversationId);
    expect(a.messages.map((m) => m.text)).toEqual([
      c.waitingTr.firstText,
      ...c.waitingTr.messages.map((m) => m.text),
    ]);
  });

  it('reads everything again after the data key is rotated, and seals new words under the new key', async () => {
    const rotated = `t2:${Buffer.alloc(32, 3).toString('base64')},${fixture.dataKey}`;
    // A visitor of today's release, mid-conversation when the key rotates.
    const v = await connectVisitor(t.url);
    const started = await emitAck<AnyAck>(v, 'chat:start', {
      role: 'bystander',
      language: 'nl',
      text: 'Vooraf',
    });
    v.disconnect();
    await t.close();
    t = await startTestApp({
      REDIS_PREFIX: fixture.prefix,
      DATA_KEY: rotated,
      HASH_KEY: fixture.hashKey ?? TEST_HASH_KEY,
      RETURN_WINDOW_MIN: '60',
      OPERATOR_GRACE_S: '600',
    });
    const msgs = await t.app.store.messages(c.active.conversationId, { forOperator: true });
    expect(msgs.map((m) => m.text)).toEqual([c.active.firstText, ...c.active.messages.map((m) => m.text)]);
    expect((await t.app.store.notes(c.active.conversationId)).map((n) => n.text)).toEqual([
      fixture.note.text,
    ]);
    const s = await connectOperator(t.url, fixture.operator.cookie);
    sockets.push(s);
    const r = await emitAck<AnyAck>(s, 'chat:message', {
      conversationId: c.active.conversationId,
      clientMessageId: 'na-rotatie',
      text: 'Na de sleutelwissel',
    });
    expect(r.ok).toBe(true);
    const entries = await raw.xrange(`${fixture.prefix}:conv:${c.active.conversationId}:msgs`, '-', '+');
    const sealed = entries.map(([, kv]) => kv[kv.indexOf('c') + 1]!);
    expect(sealed.at(-1)).toMatch(/^v2\.t2\./);
    // Release 1 sealed v1 (bound to the conversation only); release 2 already v2.
    expect(sealed[0]).toMatch(fixture.hashKey ? /^v2\.t1\./ : /^v1\.t1\./);
    const after = await t.app.store.messages(c.active.conversationId, { forOperator: true });
    expect(after.at(-1)?.text).toBe('Na de sleutelwissel');
    // Her resume token is a keyed hash under HASH_KEY, which the rotation did not touch.
    const w = await connectVisitor(t.url);
    sockets.push(w);
    const resumed = await emitAck<AnyAck>(w, 'chat:resume', { resumeToken: String(started.resumeToken) });
    expect(resumed.ok).toBe(true);
    expect((resumed.missed as { text: string }[]).map((m) => m.text)).toEqual(['Vooraf']);
  });
});
