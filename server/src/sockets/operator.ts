import { consoleInboundSchemas, operatorInboundSchemas, refusal } from '@stille-lijn/shared';
import type { AppError, ErrorBody } from '@stille-lijn/shared/errors';
import type { FastifyInstance } from 'fastify';
import type { Namespace } from 'socket.io';
import type { SessionInfo } from '../auth/types.ts';
import { requeueUnreachable } from '../lines/requeue.ts';
import {
  mergeHandlers,
  type OperatorContext,
  type OperatorHandlers,
  type OperatorSocket,
} from './features.ts';
import { bindEvents, EventBudget, type Handler, type InFlight } from './guard.ts';
import { operatorRoom, ROOM_OPERATORS, ROOM_SUPERVISORS, supervisorLineRoom } from './notifier.ts';
import { handshakeOriginAllowed } from './origin.ts';
import { SessionSockets } from './session-sockets.ts';

const OPERATOR_SCHEMAS = { ...operatorInboundSchemas, ...consoleInboundSchemas };
const OPERATOR_EVENTS = Object.keys(OPERATOR_SCHEMAS);

/**
 * How often live operator sockets refresh their presence and re-check (and keep alive)
 * their session: every 15 s, or often enough for a short SESSION_IDLE_MIN.
 */
const HEARTBEAT_MS = 15_000;
/** `session:expiring` comes this long before a session's absolute end (PROTOCOL.md). */
export const SESSION_WARNING_MS = 15 * 60_000;

declare module 'socket.io' {
  interface SocketData {
    session?: SessionInfo;
    /** Visitor sockets: the keyed hash of the client's address bucket. */
    addressHash?: string;
    /** Visitor sockets: the handshake came past the address's connection rate; it starts nothing. */
    overRate?: boolean;
    /** Visitor sockets: when it last joined a conversation (ms since the epoch, this instance's clock). */
    joinedAt?: number;
  }
}

/** What the rest of the server may ask of the `/operator` sockets. */
export interface OperatorSockets {
  /**
   * What an account may see or do changed (`OperatorStore.setAccess` returned `accessRev`):
   * its live sockets built on an older revision get `account:changed` and are cut, on
   * every instance; the console connects again with the new rights. Resolves once every
   * instance has done so (or, if one does not answer, after the adapter's request timeout).
   */
  accessChanged(operatorId: string, accessRev: number): Promise<void>;
  /** Stops the heartbeat and the subscriptions. */
  stop(): void;
}

/** Server-to-server (Socket.IO `serverSideEmit`): an account's access changed. */
const ACCESS_CHANGED = 'operator:access-changed';

const canSupervise = (role: string) => role === 'supervisor' || role === 'admin';

/**
 * What an event about a conversation of a line the account may not reach answers: exactly
 * what it answers today for a stranger's conversation (PROTOCOL.md, "Lines"), so that a
 * foreign line's ids cannot be told apart from a colleague's. `chat:accept` finds a
 * stranger's conversation taken; supervisor events refuse a non-supervisor for the role
 * first; every other event refuses a conversation that is not the caller's.
 */
export function strangerAnswer(event: string, supervisor: boolean): AppError {
  if (event === 'chat:accept') return refusal('not_waiting');
  if (event.startsWith('supervisor:') && !supervisor) return refusal('role_required');
  return refusal('not_holder');
}

/** Events that only give up a right: no line check (a supervisor may always stop reading along). */
const GIVES_UP_ONLY: ReadonlySet<string> = new Set(['supervisor:unmonitor']);

/**
 * The message path's events, whose own holder check (in the append script, or
 * `assertHolder`) refuses with `not_holder` whoever does not hold the conversation: once a
 * socket's lines were found to reach a conversation, these skip the line check's Redis
 * read for it. A conversation that leaves the socket's lines (a transfer to another line)
 * also leaves its holder, and a change of the account's lines cuts the socket.
 */
const HOLDER_CHECKED: ReadonlySet<string> = new Set(['chat:message', 'chat:typing']);

/** At most this many conversations remembered per socket (an operator holds a handful). */
const REACHED_MAX = 256;

/**
 * The events that write an audit entry when they do something, other than looks (which
 * have a budget of their own, `AuditLog.recordLook`) and `operator:debrief` (recorded once
 * per 5 minutes at most): each spends the account's hourly action budget first, here in
 * one place, so that an event past it is refused before it takes effect (`ActionBudget`).
 */
const AUDITED_ACTIONS: ReadonlySet<string> = new Set<keyof typeof OPERATOR_SCHEMAS>([
  'chat:accept',
  'chat:note',
  'chat:transfer',
  'chat:end',
  'chat:block',
  'operator:handover',
  'chat:tags',
  'chat:risk',
  'chat:acute',
  'signal:dismiss',
  'supervisor:reassign',
]);

/**
 * Audited actions a spent budget never refuses, because refusing them would keep a victim
 * from help: ending a conversation and blocking an abuser's address, by the operator who
 * holds or last held it (each at most once per conversation, so already bounded by the
 * accepts that spend the budget), and marking acute danger for the first time. A
 * supervisor's block of a conversation she never held is bounded by nothing else, so it
 * spends the budget; so do later changes of the acute danger's answers (`acute-update`),
 * which can be repeated at will.
 */
const NEVER_REFUSED: ReadonlySet<string> = new Set<keyof typeof OPERATOR_SCHEMAS>(['chat:end', 'chat:block']);

/** What a connected operator socket was let in under, for the notices that may cut it. */
interface LiveSocket {
  operatorId: string;
  sessionId: string;
  accessRev: number;
  epoch: number;
}

/** A socket counts for its session this many heartbeats without one (an instance that died). */
const SESSION_SOCKET_HEARTBEATS = 3;

/** The handshake refusal past SESSION_SOCKETS_MAX: `connect_error` `rate_limited`, the reason in `data`. */
function tooManyConsoles(): Error & { data: ErrorBody } {
  return Object.assign(new Error('rate_limited'), { data: refusal('too_many_consoles').toBody() });
}

/**
 * `/operator`: cookie-authenticated. Operators act only on conversations assigned to
 * them; everything they do is validated and audited. Rights are read when a socket
 * connects; a change of them cuts the socket (see `OperatorSockets.accessChanged`). The
 * events themselves are the features'; this wires them to each socket.
 */
export function setupOperatorNamespace(
  app: FastifyInstance,
  nsp: Namespace,
  inFlight: InFlight,
): OperatorSockets {
  const { config } = app;
  const heartbeatMs = Math.min(HEARTBEAT_MS, Math.floor(config.sessionIdleMs / 3));
  const sessionSockets = new SessionSockets(app.redis, app.keys, {
    ttlMs: heartbeatMs * SESSION_SOCKET_HEARTBEATS,
  });

  nsp.use(async (socket, next) => {
    try {
      const { headers } = socket.handshake;
      if (!handshakeOriginAllowed(headers.origin, headers.host, config.publicOrigin))
        return next(new Error('forbidden'));
      const session = await app.auth.sessionFromCookieHeader(headers.cookie);
      if (!session || session.operator.disabled) return next(new Error('unauthorized'));
      // Counted last, once nothing else refuses: a refused handshake holds no place.
      if (inFlight.draining) return next(new Error('unavailable'));
      if (!(await sessionSockets.claim(session.sessionId, socket.id))) return next(tooManyConsoles());
      socket.data.session = session;
      next();
    } catch {
      next(new Error('unavailable'));
    }
  });

  const live = new Map<string, LiveSocket>();

  // Presence heartbeat and session re-check: an expired or revoked session is cut, and so
  // is a socket whose rights changed without it hearing of it (a lost message). A
  // connected console keeps its session from idling out: the idle time counts only from
  // the moment its last console went away (the disconnect touches it once more).
  const timer = setInterval(() => {
    const entries = [...live.entries()].map(([socketId, v]) => ({ operatorId: v.operatorId, socketId }));
    app.presence
      .operatorHeartbeat(entries)
      .catch((err) => app.log.warn({ err }, 'operator heartbeat failed'));
    sessionSockets
      .refresh([...live].map(([socketId, v]) => ({ sessionId: v.sessionId, socketId })))
      .catch((err) => app.log.warn({ err }, 'session sockets refresh failed'));
    for (const [socketId, v] of live) recheck(socketId, v, { touch: true });
  }, heartbeatMs);
  timer.unref();

  /** Cuts a live socket whose session has ended, or whose rights changed, as Redis has them. */
  const recheck = (socketId: string, v: LiveSocket, opts: { touch: boolean }) => {
    app.auth
      .liveSession(v.sessionId, opts)
      .then((session) => {
        if (!session) cut(socketId, 'session:ended');
        else if (session.accessRev !== v.accessRev) cut(socketId, 'account:changed');
      })
      .catch(() => {});
  };

  const cut = (socketId: string, event: 'session:ended' | 'account:changed') => {
    const s = nsp.sockets.get(socketId);
    if (!s) return;
    s.emit(event);
    s.disconnect(true);
  };

  // Sockets built before this revision of the account's rights: a repeated notice (by
  // pub/sub and by the server that made the change) leaves the reconnected ones alone.
  const cutStale = (operatorId: string, accessRev: number) => {
    for (const [socketId, v] of live) {
      if (v.operatorId === operatorId && v.accessRev < accessRev) cut(socketId, 'account:changed');
    }
  };

  // "<operator id> <epoch>": every session of that operator from an older epoch ended. A
  // notice heard late (a lagging subscriber), after the operator signed in again, leaves
  // the new session's sockets alone. Without a readable epoch, all of them are cut.
  const cutEnded = (message: string) => {
    const [operatorId, epochText] = message.split(' ');
    const epoch = Number(epochText);
    const ended = Number.isFinite(epoch) ? epoch : Number.POSITIVE_INFINITY;
    for (const [socketId, v] of live) {
      if (v.operatorId === operatorId && v.epoch < ended) cut(socketId, 'session:ended');
    }
  };

  // Disabling an account or resetting its password cuts its live sockets on every
  // instance; so does a change of its rights, wherever it was made (API or command line).
  const sub = app.newRedis();
  const operatorChannel = app.keys.operatorRevokedChannel;
  const sessionChannel = app.keys.sessionRevokedChannel;
  const accessChannel = app.operators.keys.accessChannel;
  sub
    .subscribe(operatorChannel, sessionChannel, accessChannel)
    .catch((err) => app.log.warn({ err }, 'revocation subscribe failed'));
  sub.on('message', (ch: string, message: string) => {
    if (ch === accessChannel) {
      const [operatorId = '', rev = ''] = message.split(' ');
      cutStale(operatorId, Number(rev));
    } else if (ch === sessionChannel) {
      for (const [socketId, v] of live) if (v.sessionId === message) cut(socketId, 'session:ended');
    } else {
      cutEnded(message);
    }
  });
  // The server that made a change waits for every other one to have applied it.
  nsp.on(ACCESS_CHANGED, (operatorId: unknown, accessRev: unknown, ack: unknown) => {
    if (typeof operatorId === 'string' && typeof accessRev === 'number') cutStale(operatorId, accessRev);
    if (typeof ack === 'function') ack(true);
  });

  nsp.on('connection', async (socket: OperatorSocket) => {
    const session = socket.data.session!;
    const account = session.operator;
    const op = {
      id: account.id,
      displayName: account.displayName,
      languages: account.languages,
      ...(account.capacity ? { capacity: account.capacity } : {}),
      // Version 2 (lines): admins reach every line; others their own (the first line when unset).
      lines: account.role === 'admin' ? ['*'] : account.lines,
    };
    const entry = {
      operatorId: op.id,
      sessionId: session.sessionId,
      accessRev: session.accessRev,
      epoch: session.epoch,
    };
    live.set(socket.id, entry);
    // A notice heard between the handshake's read of the session and now found no socket to
    // cut: read the session once more, now that a later notice finds this socket.
    recheck(socket.id, entry, { touch: false });
    app.metrics.operatorsConnected.inc();
    // The absolute end of the session: a warning 15 minutes ahead (at once when less is
    // left), so the operator can sign in again while their conversations stay theirs,
    // then the cut, to the millisecond rather than at the next heartbeat.
    const warnIn = Math.max(0, session.expiresAt - SESSION_WARNING_MS - Date.now());
    const warning = setTimeout(
      () => socket.emit('session:expiring', { at: new Date(session.expiresAt).toISOString() }),
      warnIn,
    );
    const ending = setTimeout(
      () => {
        app.auth
          .liveSession(session.sessionId)
          .then((s) => {
            if (!s) cut(socket.id, 'session:ended');
          })
          .catch(() => {});
      },
      Math.max(0, session.expiresAt - Date.now() + 10),
    );

    const supervisor = canSupervise(account.role);
    const ctx: OperatorContext = {
      socket,
      session,
      op,
      supervisor,
      watching: new Set<string>(),
      // The role read at connect is checked again against Redis, the source of truth, so a
      // demotion holds even before this socket is cut (and if its notice were lost).
      async supervisorOnly() {
        if (!supervisor) throw refusal('role_required');
        const now = await app.operators.get(op.id);
        if (!now || now.disabled || !canSupervise(now.role)) throw refusal('role_required');
      },
    };
    const handlers = mergeHandlers<OperatorHandlers>(
      OPERATOR_EVENTS,
      app.socketFeatures.operator.map((feature) => feature(ctx)),
    );
    const heldByMe = async (conversationId: unknown) =>
      typeof conversationId === 'string' && (await app.store.lastOperatorOf(conversationId)) === op.id;
    const movesOwn = async (event: string, conversationId: unknown) =>
      event !== 'chat:transfer' || (await heldByMe(conversationId));
    /** Whether a `chat:acute` is a later change (budgeted), not the first marking or its retry. */
    const acuteMarked = async (payload: unknown) => {
      const id = (payload as { conversationId?: unknown }).conversationId;
      return typeof id !== 'string' || (await app.assessment.firstMarkingDone(id));
    };
    const targetMayReach = async (operatorId: string, conversationIds: readonly string[]) => {
      const target = await app.operators.get(operatorId);
      if (!target) return true; // the feature answers an unknown colleague as it always has
      for (const id of conversationIds) if (!(await app.lineAccess.mayReach(target, id))) return false;
      return true;
    };
    // Lines (PROTOCOL.md): every event about a conversation first asks whether the
    // account's lines may reach it, in one place, before any feature's own holder check.
    // The lines are those of the session's account; a change of them cuts this socket.
    const member = { role: account.role, lines: account.lines };
    const reached = new Set<string>();
    const byEvent = handlers as unknown as Record<string, Handler<unknown>>;
    for (const event of OPERATOR_EVENTS) {
      if (GIVES_UP_ONLY.has(event)) continue;
      const handler = byEvent[event]!;
      const holderChecked = HOLDER_CHECKED.has(event);
      const audited = AUDITED_ACTIONS.has(event);
      byEvent[event] = async (payload) => {
        // First: past the budget nothing is read, checked or done, except what keeps a victim
        // from help (NEVER_REFUSED, and the first marking of acute danger).
        const conversationId = (payload as { conversationId?: unknown }).conversationId;
        if (audited && !(NEVER_REFUSED.has(event) && (await heldByMe(conversationId))))
          await app.actionBudget.spend(op.id).catch(async (err: unknown) => {
            if (event === 'chat:acute' && !(await acuteMarked(payload))) return;
            throw err;
          });
        if (typeof conversationId === 'string' && !(holderChecked && reached.has(conversationId))) {
          await app.lineAccess.assertReach(member, conversationId, () => strangerAnswer(event, supervisor));
          if (holderChecked) {
            if (reached.size >= REACHED_MAX) reached.clear();
            reached.add(conversationId);
          }
        }
        // A transfer, reassign or hand-over to a colleague: the colleague's lines must reach
        // every conversation moved, else the answer an unknown colleague gets. A transfer
        // by someone who does not hold the conversation is left to the holder check first.
        const to = (payload as { to?: { operatorId?: unknown } }).to;
        if (typeof to?.operatorId === 'string' && (await movesOwn(event, conversationId))) {
          const moved =
            typeof conversationId === 'string' ? [conversationId] : await app.roster.conversationsOf(op.id);
          if (!(await targetMayReach(to.operatorId, moved))) throw refusal('operator_offline');
        }
        return handler(payload);
      };
    }
    bindEvents(socket, OPERATOR_SCHEMAS, handlers, {
      budget: new EventBudget(config.socketEventsPerSecond),
      inFlight,
      log: app.log,
    });

    socket.on('disconnect', () => {
      live.delete(socket.id);
      clearTimeout(warning);
      clearTimeout(ending);
      // Idle time starts now, not at the last heartbeat.
      app.auth.touchSession(session.sessionId).catch(() => {});
      sessionSockets
        .release(session.sessionId, socket.id)
        .catch((err) => app.log.warn({ err }, 'session socket release failed'));
      for (const id of ctx.watching) {
        app.supervision.unmonitor(id, op).catch((err) => app.log.warn({ err }, 'unmonitor failed'));
      }
      app.metrics.operatorsConnected.dec();
      app.presence
        .operatorDisconnected(op.id, socket.id)
        .catch((err) => app.log.warn({ err }, 'operator disconnect handling failed'));
    });

    try {
      // Supervisors also join a room per line of theirs: alerts and report statuses about
      // a conversation go to the lines that may reach it (admins are in every line's).
      await socket.join(
        supervisor
          ? [
              operatorRoom(op.id),
              ROOM_OPERATORS,
              ROOM_SUPERVISORS,
              ...[...app.lineAccess.linesOfAccount(member)].map(supervisorLineRoom),
            ]
          : [operatorRoom(op.id), ROOM_OPERATORS],
      );
      // Held on a line the account lost (a change from the command line does not requeue
      // them): back to their queues before the conversations are sent again.
      await requeueUnreachable(app, op.id, member);
      await app.presence.operatorConnected(op, socket.id);
      socket.emit('operator:state', await app.presence.operatorState(op.id));
      socket.emit('queue:snapshot', { waiting: await app.queueView.waitingList({ lines: op.lines }) });
      // Whatever the requeue answered: a conversation it could not move stays held, and the
      // resend leaves out what the account may not reach.
      await app.router.resendAssigned(op.id, member, (payload) => socket.emit('chat:assigned', payload));
    } catch (err) {
      app.log.warn({ err }, 'operator connect setup failed');
    }
  });

  return {
    async accessChanged(operatorId, accessRev) {
      cutStale(operatorId, accessRev);
      try {
        await nsp.serverSideEmitWithAck(ACCESS_CHANGED, operatorId, accessRev);
      } catch (err) {
        // Each server also hears of it by pub/sub, and re-checks every 15 s.
        app.log.warn({ err }, 'not every server confirmed an access change');
      }
    },
    stop() {
      clearInterval(timer);
      sub.disconnect();
    },
  };
}
