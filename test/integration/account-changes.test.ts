import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { generateTotpSecret, totpCodeAt } from '../../server/src/auth/totp.ts';
import { ROOM_SUPERVISORS, watchRoom } from '../../server/src/sockets/notifier.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import {
  collect,
  connectOperator,
  connectVisitor,
  createOperator,
  emitAck,
  login,
  nextEvent,
  type OperatorSocket,
  type TestOperator,
  type VisitorSocket,
  waitFor,
} from '../support/clients.ts';

type AnyAck = { ok: boolean; error?: { code: string }; [k: string]: unknown };

/**
 * An operator socket that behaves as the console does: when the server cuts it after
 * `account:changed`, it connects again at once. Emits are retried until acknowledged,
 * so one sent while the old connection closes is answered on the new one.
 */
async function connectConsole(t: TestApp, cookie: string): Promise<OperatorSocket> {
  const { io } = await import('socket.io-client');
  const s: OperatorSocket = io(`${t.url}/operator`, {
    transports: ['websocket'],
    forceNew: true,
    reconnection: false,
    extraHeaders: { cookie },
    retries: 3,
    ackTimeout: 2000,
  });
  s.on('disconnect', (reason) => {
    if (reason === 'io server disconnect') s.connect();
  });
  await new Promise<void>((resolve, reject) => {
    s.once('connect', () => resolve());
    s.once('connect_error', reject);
  });
  return s;
}

/** Resolves once `s` is connected again after a cut (at once when it already is). */
function connected(s: OperatorSocket): Promise<void> {
  return s.connected ? Promise.resolve() : new Promise((resolve) => s.once('connect', () => resolve()));
}

/** A round trip on `s`: every event the server sent it before this has arrived. */
async function barrier(s: OperatorSocket): Promise<void> {
  const ack = await emitAck<AnyAck>(s, 'operator:status', { status: 'away' });
  expect(ack.ok).toBe(true);
}

function patch(t: TestApp, admin: TestOperator, id: string, body: unknown) {
  return fetch(`${t.url}/api/admin/operators/${id}`, {
    method: 'PATCH',
    headers: { cookie: admin.cookie, 'content-type': 'application/json', origin: t.config.publicOrigin },
    body: JSON.stringify(body),
  });
}

/** The operator ids of the sockets in a room, across every instance. */
async function operatorsIn(t: TestApp, room: string): Promise<string[]> {
  const sockets = await t.app.io.of('/operator').in(room).fetchSockets();
  return sockets.map((s) => s.data.session?.operator.id ?? '?');
}

describe('a change of role or languages reaches live sockets at once', () => {
  const apps: TestApp[] = [];
  const sockets: { disconnect(): unknown }[] = [];
  afterEach(async () => {
    for (const s of sockets.splice(0)) s.disconnect();
    for (const t of apps.splice(0).reverse()) await t.close();
  });

  async function app(env: Record<string, string> = {}): Promise<TestApp> {
    const t = await startTestApp(env);
    apps.push(t);
    return t;
  }

  /** An operator holding an active conversation with a visitor. */
  async function activeConversation(t: TestApp) {
    const acct = await createOperator(t);
    const op = await connectConsole(t, acct.cookie);
    const v: VisitorSocket = await connectVisitor(t.url);
    sockets.push(op, v);
    const start = await emitAck<AnyAck>(v, 'chat:start', { role: 'victim', language: 'nl', text: 'help' });
    const conversationId = String(start.conversationId);
    expect((await emitAck<AnyAck>(op, 'chat:accept', { conversationId })).ok).toBe(true);
    return { acct, op, v, conversationId };
  }

  it("a demoted supervisor's open socket is refused supervisor:monitor right after the PATCH, and gets no more alerts or read-along", async () => {
    const t = await app();
    const admin = await createOperator(t, { role: 'admin' });
    const sara = await createOperator(t, { role: 'supervisor', displayName: 'Sara' });
    const other = await createOperator(t, { role: 'supervisor' });
    const s = await connectConsole(t, sara.cookie);
    const control = await connectConsole(t, other.cookie);
    sockets.push(s, control);
    const { op, v, conversationId } = await activeConversation(t);
    expect((await emitAck<AnyAck>(s, 'supervisor:monitor', { conversationId })).ok).toBe(true);
    const changed = nextEvent(s, 'account:changed');
    const readAlongEnded = nextEvent<{ watching: boolean }>(op, 'chat:monitored', {
      where: (p) => !p.watching,
    });

    expect((await patch(t, admin, sara.id, { role: 'operator' })).status).toBe(200);
    // At once, on the server: none of her sockets is among the supervisors or reading along.
    expect(await operatorsIn(t, ROOM_SUPERVISORS)).not.toContain(sara.id);
    expect(await operatorsIn(t, watchRoom(conversationId))).not.toContain(sara.id);
    // Her next supervisor action is refused, whichever connection carries it.
    const refused = await emitAck<AnyAck>(s, 'supervisor:monitor', { conversationId });
    expect(refused).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    await changed;
    await connected(s);

    // An alert reaches the other supervisor, not her; nor does the visitor's next message.
    const alerts = collect(s, 'supervisor:alert');
    const watched = collect(s, 'monitor:message');
    const alert = nextEvent(control, 'supervisor:alert');
    expect((await emitAck<AnyAck>(op, 'chat:acute', { conversationId })).ok).toBe(true);
    await alert;
    expect((await emitAck<AnyAck>(v, 'chat:message', { clientMessageId: 'm1', text: 'hallo?' })).ok).toBe(
      true,
    );
    await barrier(s);
    expect(alerts).toEqual([]);
    expect(watched).toEqual([]);
    // Her read-along ended, and the operator holding the conversation was told.
    expect((await readAlongEnded).watching).toBe(false);
    expect(await t.app.redis.hget(`${t.config.redisPrefix}:conv:${conversationId}`, 'watchers')).toBe('0');
    // Her reconnected socket stays: the change is applied once.
    expect(s.connected).toBe(true);
  });

  it('a promoted operator signs in again, and her new socket has supervisor rights and alerts', async () => {
    const t = await app();
    const admin = await createOperator(t, { role: 'admin' });
    const bram = await createOperator(t);
    const s = await connectOperator(t.url, bram.cookie);
    sockets.push(s);
    const { op, conversationId } = await activeConversation(t);
    expect((await emitAck<AnyAck>(s, 'supervisor:monitor', { conversationId })).error?.code).toBe(
      'forbidden',
    );

    // A raised role ends the session: the old socket is cut and its cookie is dead.
    const ended = nextEvent(s, 'session:ended', { ms: 3000 });
    expect((await patch(t, admin, bram.id, { role: 'supervisor' })).status).toBe(200);
    await ended;
    const cookie = await login(t.url, bram.username, bram.password);
    const again = await connectOperator(t.url, cookie);
    sockets.push(again);
    expect((await emitAck<AnyAck>(again, 'supervisor:monitor', { conversationId })).ok).toBe(true);
    const alert = nextEvent<{ kind: string }>(again, 'supervisor:alert');
    expect((await emitAck<AnyAck>(op, 'chat:acute', { conversationId })).ok).toBe(true);
    expect((await alert).kind).toBe('acute-danger');
  });

  it('new languages reach routing for the socket she has open', async () => {
    const t = await app();
    const admin = await createOperator(t, { role: 'admin' });
    const nadia = await createOperator(t, { languages: ['nl'] });
    const s = await connectConsole(t, nadia.cookie);
    sockets.push(s);
    expect((await emitAck<AnyAck>(s, 'operator:status', { status: 'available' })).ok).toBe(true);
    const v = await connectVisitor(t.url);
    sockets.push(v);
    const start = await emitAck<AnyAck>(v, 'chat:start', { role: 'victim', language: 'ar' });
    expect(start.ok).toBe(true);

    const assigned = nextEvent<{ conversation: { conversationId: string } }>(s, 'chat:assigned');
    expect((await patch(t, admin, nadia.id, { languages: ['nl', 'ar'] })).status).toBe(200);
    expect((await assigned).conversation.conversationId).toBe(start.conversationId);
  });

  it('a change made outside the HTTP API (npm run operator) reaches the socket too', async () => {
    const t = await app();
    const sara = await createOperator(t, { role: 'supervisor' });
    const s = await connectConsole(t, sara.cookie);
    sockets.push(s);
    // Well before the 15 s re-check, which would catch it too.
    const changed = nextEvent(s, 'account:changed', { ms: 3000 });
    // What `npm run operator -- set-role` calls.
    const rev = await t.app.operators.setRole(sara.id, 'operator');
    await changed;
    await connected(s);
    expect(await operatorsIn(t, ROOM_SUPERVISORS)).not.toContain(sara.id);
    // A late or repeated notice of that change leaves the socket that already has it alone.
    const again = collect(s, 'account:changed');
    await t.app.redis.publish(t.app.operators.keys.accessChannel, `${sara.id} ${rev}`);
    await t.app.operators.setRole(sara.id, 'operator');
    await barrier(s);
    await barrier(s);
    expect(again).toEqual([]);
    expect(s.connected).toBe(true);
  });

  it('every instance: her socket on one server is cut before a PATCH on another returns', async () => {
    const a = await app();
    const b = await app({ REDIS_PREFIX: a.config.redisPrefix });
    const admin = await createOperator(a, { role: 'admin' });
    const sara = await createOperator(a, { role: 'supervisor' });
    const s = await connectConsole(b, sara.cookie);
    sockets.push(s);
    expect(await operatorsIn(b, ROOM_SUPERVISORS)).toContain(sara.id);
    expect((await patch(a, admin, sara.id, { role: 'operator' })).status).toBe(200);
    // Instance b's own view, with no round trip through Redis: her supervisor socket is gone.
    const local = [...(b.app.io.of('/operator').adapter.rooms.get(ROOM_SUPERVISORS) ?? [])];
    const ids = local.map((id) => b.app.io.of('/operator').sockets.get(id)?.data.session?.operator.id);
    expect(ids).not.toContain(sara.id);
  });

  it('accessChanged() returns only once every instance has cut the sockets older than the change', async () => {
    const a = await app();
    const b = await app({ REDIS_PREFIX: a.config.redisPrefix });
    const sara = await createOperator(a, { role: 'supervisor' });
    const s = await connectConsole(b, sara.cookie);
    sockets.push(s);
    // A change nobody announced by pub/sub: only the call below can tell instance b.
    const rev = await a.app.redis.hincrby(`${a.config.redisPrefix}:operator:${sara.id}`, 'accessRev', 1);
    const changed = nextEvent(s, 'account:changed', { ms: 3000 });
    await a.app.operatorSockets.accessChanged(sara.id, rev);
    expect(
      [...b.app.io.of('/operator').sockets.values()].map((x) => x.data.session?.operator.id),
    ).not.toContain(sara.id);
    await changed;
  });

  it('a socket that missed the notice of a change is cut by the next re-check', async () => {
    const t = await app();
    const sara = await createOperator(t, { role: 'supervisor' });
    const s = await connectConsole(t, sara.cookie);
    sockets.push(s);
    const changed = nextEvent(s, 'account:changed', { ms: 20_000 });
    await t.app.redis.hincrby(`${t.config.redisPrefix}:operator:${sara.id}`, 'accessRev', 1);
    await changed;
  });

  it('a role lost without any notice (a missed message) still refuses supervisor actions at once', async () => {
    const t = await app();
    const sara = await createOperator(t, { role: 'supervisor' });
    const s = await connectConsole(t, sara.cookie);
    sockets.push(s);
    const { conversationId } = await activeConversation(t);
    // As if the change's message were lost: the stored role changes, nobody is told.
    await t.app.redis.hset(`${t.config.redisPrefix}:operator:${sara.id}`, 'role', 'operator');
    expect((await emitAck<AnyAck>(s, 'supervisor:monitor', { conversationId })).error?.code).toBe(
      'forbidden',
    );
    expect(
      (await emitAck<AnyAck>(s, 'supervisor:reassign', { conversationId, to: { queue: true } })).error?.code,
    ).toBe('forbidden');
    // Nor may she block the visitor of a conversation she does not hold, as a supervisor may.
    expect((await emitAck<AnyAck>(s, 'chat:block', { conversationId })).error?.code).toBe('forbidden');
    expect(await t.app.redis.hget(t.app.keys.conversation(conversationId), 'state')).toBe('active');
  });

  it("a supervisor's block while Redis is cut is answered unavailable (to retry), never as a lost role", async () => {
    const t = await app();
    const sara = await createOperator(t, { role: 'supervisor' });
    const s = await connectConsole(t, sara.cookie);
    sockets.push(s);
    const { conversationId } = await activeConversation(t);
    const cut = Object.assign(new Error('Connection is closed.'), { name: 'MaxRetriesPerRequestError' });
    vi.spyOn(t.app.operators, 'get').mockRejectedValueOnce(cut);
    try {
      expect((await emitAck<AnyAck>(s, 'chat:block', { conversationId })).error?.code).toBe('unavailable');
    } finally {
      vi.restoreAllMocks();
    }
    // The retry blocks.
    expect((await emitAck<AnyAck>(s, 'chat:block', { conversationId })).ok).toBe(true);
    expect(await t.app.redis.hget(t.app.keys.conversation(conversationId), 'state')).toBe('ended');
  });
});

describe('a raised role or a changed TOTP secret ends the account’s sessions', () => {
  const apps: TestApp[] = [];
  const sockets: { disconnect(): unknown }[] = [];
  afterEach(async () => {
    for (const s of sockets.splice(0)) s.disconnect();
    for (const t of apps.splice(0).reverse()) await t.close();
  });

  async function app(env: Record<string, string> = {}): Promise<TestApp> {
    const t = await startTestApp(env);
    apps.push(t);
    return t;
  }

  /** `GET /api/auth/me` with this cookie: 200 while the session lives, 401 once it ended. */
  async function meStatus(t: TestApp, cookie: string): Promise<number> {
    return (await fetch(`${t.url}/api/auth/me`, { headers: { cookie } })).status;
  }

  /** A sign-in with an optional TOTP code: the cookie on 200, else the status. */
  async function signIn(t: TestApp, username: string, password: string, totp?: string) {
    const res = await fetch(`${t.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password, ...(totp ? { totp } : {}) }),
    });
    return { status: res.status, cookie: (res.headers.get('set-cookie') ?? '').split(';')[0]! };
  }

  /** An open console of `cookie` and its next `session:ended`, heard well before the 15 s re-check. */
  async function openConsole(t: TestApp, cookie: string) {
    const s = await connectOperator(t.url, cookie);
    sockets.push(s);
    const ended = nextEvent(s, 'session:ended', { ms: 3000 });
    // Awaited by the test; a test that fails before that leaves no unhandled rejection.
    ended.catch(() => {});
    const changed = collect(s, 'account:changed');
    return { s, ended, changed };
  }

  /** The old cookie opens no new console either. */
  async function refusedConsole(t: TestApp, cookie: string): Promise<string> {
    return connectOperator(t.url, cookie).then(
      (s) => {
        sockets.push(s);
        return 'connected';
      },
      (err: Error) => err.message,
    );
  }

  it.each([
    ['operator', 'supervisor'],
    ['operator', 'admin'],
    ['supervisor', 'admin'],
  ] as const)(
    'a PATCH from %s to %s: the old cookie is 401 and the open console gets session:ended',
    async (from, to) => {
      const t = await app();
      const admin = await createOperator(t, { role: 'admin' });
      const bram = await createOperator(t, { role: from });
      expect(await meStatus(t, bram.cookie)).toBe(200);
      const desk = await openConsole(t, bram.cookie);

      expect((await patch(t, admin, bram.id, { role: to })).status).toBe(200);
      expect(await meStatus(t, bram.cookie)).toBe(401);
      await desk.ended;
      await waitFor(() => !desk.s.connected);
      expect(desk.changed).toEqual([]);
      expect(await refusedConsole(t, bram.cookie)).toBe('unauthorized');
      // Signed in again, the account has the new role.
      const again = await signIn(t, bram.username, bram.password);
      expect(again.status).toBe(200);
      const who = (await (
        await fetch(`${t.url}/api/auth/me`, { headers: { cookie: again.cookie } })
      ).json()) as {
        operator: { role: string };
      };
      expect(who.operator.role).toBe(to);
    },
  );

  it('a lowered role, new languages or the same role again keep the session', async () => {
    const t = await app();
    const admin = await createOperator(t, { role: 'admin' });
    const sara = await createOperator(t, { role: 'supervisor' });
    expect((await patch(t, admin, sara.id, { role: 'operator' })).status).toBe(200);
    expect(await meStatus(t, sara.cookie)).toBe(200);
    expect((await patch(t, admin, sara.id, { languages: ['nl', 'ar'] })).status).toBe(200);
    expect(await meStatus(t, sara.cookie)).toBe(200);
    // The same role again changes nothing.
    expect((await patch(t, admin, sara.id, { role: 'operator' })).status).toBe(200);
    expect(await meStatus(t, sara.cookie)).toBe(200);
  });

  it('in production: a promoted operator who signed in without TOTP must sign in again, with TOTP', async () => {
    const t = await app({ NODE_ENV: 'production' });
    const adminName = `ad${randomUUID().slice(0, 8)}`;
    const adminPassword = `pw-${randomUUID()}`;
    const adminAccount = await t.app.operators.create({
      username: adminName,
      password: adminPassword,
      role: 'admin',
    });
    const adminSecret = generateTotpSecret();
    await t.app.operators.setTotpSecret(adminAccount.id, adminSecret);
    const adminLogin = await signIn(t, adminName, adminPassword, totpCodeAt(adminSecret, Date.now()));
    expect(adminLogin.status).toBe(200);
    const admin = {
      id: adminAccount.id,
      username: adminName,
      password: adminPassword,
      cookie: adminLogin.cookie,
    };
    // An operator needs no TOTP in production.
    const bram = await createOperator(t);
    expect(await meStatus(t, bram.cookie)).toBe(200);

    expect((await patch(t, admin, bram.id, { role: 'supervisor' })).status).toBe(200);
    expect(await meStatus(t, bram.cookie)).toBe(401);
    // As a supervisor he cannot sign in without TOTP; with it he can.
    expect((await signIn(t, bram.username, bram.password)).status).toBe(401);
    const secret = generateTotpSecret();
    await t.app.operators.setTotpSecret(bram.id, secret);
    expect((await signIn(t, bram.username, bram.password, totpCodeAt(secret, Date.now()))).status).toBe(200);
  });

  it('turning TOTP on ends the sessions that signed in without it', async () => {
    const t = await app();
    const anna = await createOperator(t);
    expect(await meStatus(t, anna.cookie)).toBe(200);
    const desk = await openConsole(t, anna.cookie);
    // What `npm run operator -- totp <username>` calls.
    await t.app.operators.setTotpSecret(anna.id, generateTotpSecret());
    expect(await meStatus(t, anna.cookie)).toBe(401);
    await desk.ended;
    expect(await refusedConsole(t, anna.cookie)).toBe('unauthorized');
  });

  it.each([
    {
      change: 'a new TOTP secret (a lost authenticator)',
      // What `npm run operator -- totp <username>` calls again.
      apply: (t: TestApp, id: string) => t.app.operators.setTotpSecret(id, generateTotpSecret()),
      withoutCode: 401,
    },
    {
      change: 'turning TOTP off',
      // What `npm run operator -- totp <username> --off` calls.
      apply: (t: TestApp, id: string) => t.app.operators.clearTotp(id),
      withoutCode: 200,
    },
  ])('$change ends the sessions signed in with the old secret', async ({ apply, withoutCode }) => {
    const t = await app();
    const anna = await createOperator(t);
    const secret = generateTotpSecret();
    await t.app.operators.setTotpSecret(anna.id, secret);
    const signedIn = await signIn(t, anna.username, anna.password, totpCodeAt(secret, Date.now()));
    expect(signedIn.status).toBe(200);
    expect(await meStatus(t, signedIn.cookie)).toBe(200);
    const desk = await openConsole(t, signedIn.cookie);

    await apply(t, anna.id);
    expect(await meStatus(t, signedIn.cookie)).toBe(401);
    await desk.ended;
    expect(await refusedConsole(t, signedIn.cookie)).toBe('unauthorized');
    // Without a code: refused while a (new) secret is set, let in once TOTP is off.
    expect((await signIn(t, anna.username, anna.password)).status).toBe(withoutCode);
  });
});
