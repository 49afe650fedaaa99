import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { supervisorLineRoom } from '../../server/src/sockets/notifier.ts';
import { startTestApp, TEST_DATA_KEY, TEST_HASH_KEY, type TestApp } from '../support/app.ts';
import {
  collect,
  connectOperator,
  connectVisitor,
  createOperator,
  emitAck,
  nextEvent,
  type TestOperator,
  waitFor,
} from '../support/clients.ts';
import { auditEntries } from '../support/per-test.ts';

type AnyAck = { ok: boolean; error?: { code: string; reason?: string }; [k: string]: unknown };
type AccountBody = { operator: { id: string; lines?: string[] }; password?: string };
type ErrorBody = { error: { code: string; message: string } };

const LINES = [
  { id: 'a', name: 'Lijn A', languages: ['nl', 'en'], hours: '24/7', embedOrigins: [] },
  { id: 'b', name: 'Lijn B', languages: ['nl', 'en'], hours: '24/7', embedOrigins: [] },
];

/**
 * Issue 13: accounts belong to lines, set by admins; a change reaches live sockets at once.
 * The adversary: an operator whose line an admin just took away, with the console still open.
 */
describe('lines of an account', () => {
  let t: TestApp;
  let dir: string;
  let linesFile: string;
  let admin: TestOperator;
  const closers: { disconnect(): unknown }[] = [];

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lines-accounts-'));
    linesFile = join(dir, 'lines.json');
    writeFileSync(linesFile, JSON.stringify(LINES));
    t = await startTestApp({ LINES_FILE: linesFile });
    admin = await createOperator(t, { role: 'admin' });
  });
  afterEach(async () => {
    for (const c of closers.splice(0)) c.disconnect();
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const call = (method: string, path: string, body?: unknown, cookie = admin.cookie) =>
    fetch(`${t.url}${path}`, {
      method,
      headers: {
        cookie,
        origin: t.config.publicOrigin,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  const me = async (cookie: string) =>
    (
      (await (await call('GET', '/api/auth/me', undefined, cookie)).json()) as {
        operator: { lines?: string[] };
      }
    ).operator.lines;
  const auditActions = async () => (await auditEntries(t)).map((e) => e.action);

  it('refuses unknown line ids, naming them, and creates nothing', async () => {
    const res = await call('POST', '/api/admin/operators', {
      username: 'nieuw',
      displayName: 'Nieuw',
      lines: ['a', 'zuid', 'noord'],
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as ErrorBody;
    expect(body.error.code).toBe('invalid_payload');
    expect(body.error.message).toContain('zuid, noord');
    expect(await t.app.operators.getByUsername('nieuw')).toBeNull();

    const op = await createOperator(t);
    const patch = await call('PATCH', `/api/admin/operators/${op.id}`, { lines: ['b', 'oost'] });
    expect(patch.status).toBe(400);
    expect(((await patch.json()) as ErrorBody).error.message).toContain('oost');
    expect((await t.app.operators.get(op.id))?.lines).toBeUndefined();
    // '*' stands alone.
    expect((await call('PATCH', `/api/admin/operators/${op.id}`, { lines: ['*', 'a'] })).status).toBe(400);
  });

  it('stores, lists and shows an account’s lines; admins and accounts without lines resolved', async () => {
    const res = await call('POST', '/api/admin/operators', {
      username: 'bea',
      displayName: 'Bea',
      lines: ['b'],
    });
    expect(res.status).toBe(201);
    const created = (await res.json()) as AccountBody;
    expect(created.operator.lines).toEqual(['b']);
    const list = (await (await call('GET', '/api/admin/operators')).json()) as {
      operators: AccountBody['operator'][];
    };
    expect(list.operators.find((o) => o.id === created.operator.id)?.lines).toEqual(['b']);
    expect(await auditActions()).toContain('operator-lines');

    const plain = await createOperator(t);
    expect(await me(plain.cookie)).toEqual(['a']); // the first line
    expect(await me(admin.cookie)).toEqual(['*']);
    const all = await createOperator(t, { role: 'supervisor' });
    expect((await call('PATCH', `/api/admin/operators/${all.id}`, { lines: ['*'] })).status).toBe(200);
    expect(await me(all.cookie)).toEqual(['*']);
  });

  it('cuts the sockets of an account whose lines change; the new connection reaches only the new line', async () => {
    const op = await createOperator(t);
    const holder = await createOperator(t, { role: 'admin' });
    const holderSocket = await connectOperator(t.url, holder.cookie);
    closers.push(holderSocket);
    const v = await connectVisitor(t.url);
    closers.push(v);
    const start = await emitAck<AnyAck>(v, 'chat:start', {
      role: 'victim',
      language: 'nl',
      text: 'Hallo',
      line: 'a',
    });
    const id = start.conversationId as string;
    await t.app.redis.hset(t.app.keys.conversation(id), 'line', 'a');

    const s = await connectOperator(t.url, op.cookie);
    closers.push(s);
    expect((await emitAck<AnyAck>(s, 'chat:accept', { conversationId: id })).ok).toBe(true);

    const changed = nextEvent(s, 'account:changed');
    const gone = new Promise<string>((resolve) => s.on('disconnect', (reason) => resolve(reason)));
    const res = await call('PATCH', `/api/admin/operators/${op.id}`, { lines: ['b'] });
    expect(res.status).toBe(200);
    // Before the admin's answer arrived, the socket had been told and cut.
    await changed;
    expect(await gone).toBe('io server disconnect');
    expect(await auditActions()).toContain('operator-lines');

    // Held on the line it lost: back to that line's queue before the admin's answer, not
    // left with nobody to answer it.
    expect(await t.app.redis.hget(t.app.keys.conversation(id), 'state')).toBe('waiting');

    const assigned: unknown[] = [];
    const again = await connectOperator(t.url, op.cookie, {
      before: (x) => x.on('chat:assigned', (p) => assigned.push(p)),
    });
    closers.push(again);
    const ack = await emitAck<AnyAck>(again, 'chat:accept', { conversationId: id });
    expect(ack.error).toMatchObject({ code: 'conflict', reason: 'not_waiting' });
    expect(await t.app.redis.hget(t.app.keys.conversation(id), 'state')).toBe('waiting');
    expect(await me(op.cookie)).toEqual(['b']);
    expect(assigned).toEqual([]);
  });

  it('requeues, when it reconnects, what an account held on a line it lost from the command line', async () => {
    const op = await createOperator(t);
    const v = await connectVisitor(t.url);
    closers.push(v);
    const start = await emitAck<AnyAck>(v, 'chat:start', {
      role: 'victim',
      language: 'nl',
      text: 'Hallo',
      line: 'a',
    });
    const id = start.conversationId as string;
    await t.app.redis.hset(t.app.keys.conversation(id), 'line', 'a');
    const s = await connectOperator(t.url, op.cookie);
    closers.push(s);
    expect((await emitAck<AnyAck>(s, 'chat:accept', { conversationId: id })).ok).toBe(true);
    const gone = new Promise<void>((resolve) => s.on('disconnect', () => resolve()));
    // As `npm run operator -- set-lines` does it: the store only, no requeue.
    await t.app.operators.setLines(op.id, ['b']);
    await gone;
    const assigned: unknown[] = [];
    let snapshot = false;
    const again = await connectOperator(t.url, op.cookie, {
      before: (x) => {
        x.on('chat:assigned', (p) => assigned.push(p));
        x.on('queue:snapshot', () => {
          snapshot = true;
        });
      },
    });
    closers.push(again);
    // Refused at once, even while the connection is still being set up.
    const refused = await emitAck<AnyAck>(again, 'chat:message', {
      conversationId: id,
      clientMessageId: 'm1',
      text: 'Hoi',
    });
    expect(refused.error).toMatchObject({ code: 'forbidden', reason: 'not_holder' });
    // Not left held by someone who may no longer answer it: back in line a's queue, before
    // the connection's setup sends the queue and the held conversations.
    await waitFor(() => snapshot);
    expect(await t.app.redis.hmget(t.app.keys.conversation(id), 'state', 'operatorId')).toEqual([
      'waiting',
      null,
    ]);
    expect((await emitAck<AnyAck>(again, 'operator:status', { status: 'away' })).ok).toBe(true);
    expect(assigned).toEqual([]);
  });

  it('sets lines from the command line, refusing ids LINES_FILE lacks', async () => {
    const cli = (...args: string[]) =>
      spawnSync(process.execPath, ['scripts/operator.ts', ...args], {
        env: {
          ...process.env,
          REDIS_URL: t.config.redisUrl,
          REDIS_PREFIX: t.config.redisPrefix,
          DATA_KEY: TEST_DATA_KEY,
          HASH_KEY: TEST_HASH_KEY,
          LINES_FILE: linesFile,
        },
        input: 'een-wachtwoord-van-lengte\n',
        encoding: 'utf8',
      });
    expect(cli('--help').stdout).toContain('set-lines <username> <list>');
    const unknown = cli('add', 'cora', '--lines', 'a,west');
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain('west');
    expect(await t.app.operators.getByUsername('cora')).toBeNull();

    expect(cli('add', 'cora', '--lines', 'b').status).toBe(0);
    expect((await t.app.operators.getByUsername('cora'))?.lines).toEqual(['b']);
    expect(cli('set-lines', 'cora', '*').status).toBe(0);
    expect((await t.app.operators.getByUsername('cora'))?.lines).toEqual(['*']);
    expect(cli('set-lines', 'cora', 'oost').status).toBe(2);
    const list = cli('list').stdout;
    expect(list).toContain('LINES');
    expect(list).toMatch(/cora\s.*\*/);
  });

  it('moves a supervisor’s alerts with their lines', async () => {
    const sup = await createOperator(t, { role: 'supervisor' });
    expect((await call('PATCH', `/api/admin/operators/${sup.id}`, { lines: ['b'] })).status).toBe(200);
    const s = await connectOperator(t.url, sup.cookie);
    closers.push(s);
    const inRoom = async (line: string) =>
      (await t.app.io.of('/operator').in(supervisorLineRoom(line)).fetchSockets()).map(
        (x) => x.data.session?.operator.id,
      );
    expect(await inRoom('b')).toContain(sup.id);
    expect(await inRoom('a')).not.toContain(sup.id);

    const gone = new Promise<void>((resolve) => s.on('disconnect', () => resolve()));
    expect((await call('PATCH', `/api/admin/operators/${sup.id}`, { lines: ['a'] })).status).toBe(200);
    await gone;
    const again = await connectOperator(t.url, sup.cookie);
    closers.push(again);
    expect(await inRoom('a')).toContain(sup.id);
    expect(await inRoom('b')).not.toContain(sup.id);

    const alerts = collect<{ conversationId?: string }>(again, 'supervisor:alert');
    const v = await connectVisitor(t.url);
    closers.push(v);
    const start = await emitAck<AnyAck>(v, 'chat:start', {
      role: 'victim',
      language: 'nl',
      text: 'Hallo',
      line: 'b',
    });
    const onB = start.conversationId as string;
    await t.app.redis.hset(t.app.keys.conversation(onB), 'line', 'b');
    const v2 = await connectVisitor(t.url);
    closers.push(v2);
    const startA = await emitAck<AnyAck>(v2, 'chat:start', {
      role: 'victim',
      language: 'nl',
      text: 'Hoi',
      line: 'a',
    });
    const onA = startA.conversationId as string;
    await t.app.redis.hset(t.app.keys.conversation(onA), 'line', 'a');
    t.app.supervision.alert({ kind: 'acute-danger', conversationId: onB, at: new Date().toISOString() });
    t.app.supervision.alert({ kind: 'acute-danger', conversationId: onA, at: new Date().toISOString() });
    // Sent in order over one Redis connection: a misrouted first alert would be here first.
    await waitFor(() => alerts.length > 0);
    expect(alerts.map((a) => a.conversationId)).toEqual([onA]);
  });
});
