/**
 * The setup most integration tests repeated: one app per test, started inside it, and the
 * sockets it opened, all closed after each test with every `vi` mock restored.
 */
import { afterEach, vi } from 'vitest';
import { startTestApp, type TestApp } from './app.ts';
import {
  connectOperator,
  connectVisitor,
  createOperator,
  type OperatorSocket,
  type TestOperator,
  type VisitorSocket,
} from './clients.ts';

export interface AppPerTest {
  /** Starts this test's app (`startTestApp`). */
  start(env?: Record<string, string>): Promise<TestApp>;
  /** This test's app; throws before `start`. */
  readonly t: TestApp;
  /** A `/visitor` socket, closed after the test. */
  visitor(): Promise<VisitorSocket>;
  /** A new account (an operator unless `role` says otherwise) and its `/operator` socket. */
  operator(role?: 'supervisor'): Promise<{ acct: TestOperator; s: OperatorSocket }>;
}

/**
 * Registers the `afterEach` that closes what a test opened; call it once, at the top level.
 * @example const h = appPerTest(); it('…', async () => { await h.start(); const { s } = await h.operator(); });
 */
export function appPerTest(): AppPerTest {
  let current: TestApp | undefined;
  const sockets: { disconnect(): unknown }[] = [];
  afterEach(async () => {
    vi.restoreAllMocks();
    for (const s of sockets.splice(0)) s.disconnect();
    await current?.close();
    current = undefined;
  });
  const t = (): TestApp => {
    if (!current) throw new Error('no app: call start() first');
    return current;
  };
  return {
    async start(env = {}) {
      current = await startTestApp(env);
      return current;
    },
    get t() {
      return t();
    },
    async visitor() {
      const v = await connectVisitor(t().url);
      sockets.push(v);
      return v;
    },
    async operator(role) {
      const acct = await createOperator(t(), role ? { role } : {});
      const s = await connectOperator(t().url, acct.cookie);
      sockets.push(s);
      return { acct, s };
    },
  };
}

/** What ioredis rejects a command with while the primary is gone (a failover). */
export const redisCut = (): Error =>
  Object.assign(new Error('Connection is closed.'), { name: 'MaxRetriesPerRequestError' });

/**
 * The audit stream's entries, oldest first, each as its fields: `action`, `actor`,
 * `conversation` (the target, whatever it is), and `report` and `line` where written.
 * @example expect(await auditEntries(t)).toContainEqual(expect.objectContaining({ action: 'monitor' }))
 */
export async function auditEntries(t: TestApp): Promise<Record<string, string>[]> {
  const raw = await t.app.redis.xrange(t.app.keys.audit, '-', '+');
  return raw.map(([, kv]) => {
    const e: Record<string, string> = {};
    for (let i = 0; i + 1 < kv.length; i += 2) e[kv[i]!] = kv[i + 1]!;
    return e;
  });
}

/** The audited actions about one target (a conversation), oldest first. */
export async function auditedOn(t: TestApp, target: string): Promise<string[]> {
  return (await auditEntries(t)).filter((e) => e.conversation === target).map((e) => e.action ?? '');
}
