import { AppError, consoleInboundSchemas, operatorInboundSchemas } from '@stille-lijn/shared';
import type { FastifyInstance } from 'fastify';
import type { Namespace } from 'socket.io';
import type { SessionInfo } from '../auth/types.ts';
import { operatorRoom, ROOM_OPERATORS, ROOM_SUPERVISORS, watchRoom } from '../conversations/service.ts';
import { afterAck, bindEvents, EventBudget, type InFlight } from './guard.ts';

/** How often live operator sockets refresh their presence and re-check their session. */
const HEARTBEAT_MS = 15_000;

declare module 'socket.io' {
  interface SocketData {
    session?: SessionInfo;
    /** Visitor sockets: the keyed hash of the client's address bucket. */
    addressHash?: string;
  }
}

/** Browsers send Origin on WebSocket upgrades; a foreign one is a cross-site hijack attempt. */
function originAllowed(origin: string | undefined, host: string | undefined, publicOrigin: string): boolean {
  if (!origin) return true;
  if (origin === publicOrigin) return true;
  try {
    return host !== undefined && new URL(origin).host === host;
  } catch {
    return false;
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
 * `/operator`: cookie-authenticated. Operators act only on conversations assigned to
 * them; everything they do is validated and audited. Rights are read when a socket
 * connects; a change of them cuts the socket (see `OperatorSockets.accessChanged`).
 */
export function setupOperatorNamespace(
  app: FastifyInstance,
  nsp: Namespace,
  inFlight: InFlight,
): OperatorSockets {
  const service = app.conversations;
  const { config } = app;

  nsp.use(async (socket, next) => {
    try {
      const { headers } = socket.handshake;
      if (!originAllowed(headers.origin, headers.host, config.publicOrigin))
        return next(new Error('forbidden'));
      const session = await app.auth.sessionFromCookieHeader(headers.cookie);
      if (!session || session.operator.disabled) return next(new Error('unauthorized'));
      socket.data.session = session;
      next();
    } catch {
      next(new Error('unavailable'));
    }
  });

  const live = new Map<string, { operatorId: string; sessionId: string; accessRev: number }>();

  // Presence heartbeat and session re-check: an expired or revoked session is cut, and so
  // is a socket whose rights changed without it hearing of it (a lost message).
  const timer = setInterval(() => {
    const entries = [...live.entries()].map(([socketId, v]) => ({ operatorId: v.operatorId, socketId }));
    service.operatorHeartbeat(entries).catch((err) => app.log.warn({ err }, 'operator heartbeat failed'));
    for (const [socketId, v] of live) {
      app.auth
        .liveSession(v.sessionId)
        .then((session) => {
          if (!session) cut(socketId, 'session:ended');
          else if (session.accessRev !== v.accessRev) cut(socketId, 'account:changed');
        })
        .catch(() => {});
    }
  }, HEARTBEAT_MS);
  timer.unref();

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

  // Disabling an account or resetting its password cuts its live sockets on every
  // instance; so does a change of its rights, wherever it was made (API or command line).
  const sub = app.newRedis();
  const operatorChannel = app.key('events', 'operator-revoked');
  const sessionChannel = app.key('events', 'session-revoked');
  const accessChannel = app.operators.keys.accessChannel;
  sub
    .subscribe(operatorChannel, sessionChannel, accessChannel)
    .catch((err) => app.log.warn({ err }, 'revocation subscribe failed'));
  sub.on('message', (ch: string, message: string) => {
    if (ch === accessChannel) {
      const [operatorId = '', rev = ''] = message.split(' ');
      cutStale(operatorId, Number(rev));
      return;
    }
    const field = ch === sessionChannel ? 'sessionId' : 'operatorId';
    for (const [socketId, v] of live) if (v[field] === message) cut(socketId, 'session:ended');
  });
  // The server that made a change waits for every other one to have applied it.
  nsp.on(ACCESS_CHANGED, (operatorId: unknown, accessRev: unknown, ack: unknown) => {
    if (typeof operatorId === 'string' && typeof accessRev === 'number') cutStale(operatorId, accessRev);
    if (typeof ack === 'function') ack(true);
  });

  nsp.on('connection', async (socket) => {
    const session = socket.data.session!;
    const op = session.operator;
    const ref = { id: op.id, displayName: op.displayName, languages: op.languages };
    live.set(socket.id, { operatorId: op.id, sessionId: session.sessionId, accessRev: session.accessRev });
    app.metrics.operatorsConnected.inc();
    const budget = new EventBudget(config.socketEventsPerSecond);
    // Activity on the socket keeps the session from idling out (at most one touch a minute).
    let lastTouch = Date.now();
    socket.onAny(() => {
      if (Date.now() - lastTouch < 60_000) return;
      lastTouch = Date.now();
      app.auth
        .touchSession(session.sessionId)
        .then((ok) => {
          if (!ok) cut(socket.id, 'session:ended');
        })
        .catch(() => {});
    });

    const owned = async (conversationId: string) => {
      await service.assertOwner(conversationId, op.id);
    };

    const isSupervisor = canSupervise(op.role);
    // The role read at connect is checked again against Redis, the source of truth, so a
    // demotion holds even before this socket is cut (and if its notice were lost).
    const supervisorOnly = async () => {
      if (!isSupervisor) throw new AppError('forbidden');
      const account = await app.operators.get(op.id);
      if (!account || account.disabled || !canSupervise(account.role)) throw new AppError('forbidden');
    };
    const watching = new Set<string>();

    bindEvents(
      socket,
      { ...operatorInboundSchemas, ...consoleInboundSchemas },
      {
        'chat:tags': async (p) => ({ conversation: await service.setTags(p.conversationId, op.id, p.tags) }),
        'chat:risk': async (p) => ({ conversation: await service.saveRisk(p.conversationId, op.id, p.risk) }),
        'chat:acute': async (p) => ({
          conversation: await service.markAcute(p.conversationId, ref, {
            location: p.location,
            consentToCall112: p.consentToCall112,
          }),
        }),
        'supervisor:monitor': async (p) => {
          await supervisorOnly();
          const view = await service.monitor(p.conversationId, ref);
          if (!watching.has(p.conversationId)) {
            watching.add(p.conversationId);
            await socket.join(watchRoom(p.conversationId));
          } else {
            await service.unmonitor(p.conversationId, ref); // a repeated look is audited, not double counted
          }
          return view;
        },
        'supervisor:unmonitor': async (p) => {
          // Only ever gives up a right: `watching` holds what supervisor:monitor granted.
          if (!isSupervisor) throw new AppError('forbidden');
          if (watching.delete(p.conversationId)) {
            await socket.leave(watchRoom(p.conversationId));
            await service.unmonitor(p.conversationId, ref);
          }
          return {};
        },
        'supervisor:reassign': async (p) => {
          await supervisorOnly();
          await service.reassign(p.conversationId, ref, p.to);
          return {};
        },
        'operator:status': async (p) => {
          await service.setStatus(op.id, p.status);
          return { status: p.status };
        },
        'chat:accept': async (p) => service.accept(p.conversationId, ref),
        'chat:message': async (p) => {
          const started = performance.now();
          const r = await service.operatorMessage(p.conversationId, op.id, p.clientMessageId, p.text);
          return {
            messageId: r.messageId,
            at: r.at,
            [afterAck]: () => {
              if (!r.relay) return;
              r.relay();
              // The operator's other sockets (a second tab) see it too; the sender does not.
              socket.to(operatorRoom(op.id)).emit('chat:message', {
                conversationId: p.conversationId,
                messageId: r.messageId,
                from: 'operator',
                operatorId: op.id,
                text: p.text,
                at: r.at,
              });
              app.metrics.relaySeconds.observe(
                { direction: 'operator' },
                (performance.now() - started) / 1000,
              );
            },
          };
        },
        'chat:typing': async (p) => {
          await service.operatorTyping(p.conversationId, op.id, p.typing);
          return undefined;
        },
        'chat:note': async (p) => {
          const note = await service.addNote(p.conversationId, op.id, p.text);
          // The operator's other sockets and any supervisor reading along; never the visitor.
          socket.to([operatorRoom(op.id), watchRoom(p.conversationId)]).emit('chat:note', note);
          return { noteId: note.noteId, at: note.at };
        },
        'chat:transfer': async (p) => {
          if ('operatorId' in p.to && p.to.operatorId === op.id) throw new AppError('conflict');
          await service.transfer(p.conversationId, ref, p.to, p.note);
          return {};
        },
        'chat:end': async (p) => {
          await owned(p.conversationId);
          await service.end(p.conversationId, 'operator', { byOperatorId: op.id });
          return {};
        },
        'chat:block': async (p) => {
          await service.block(p.conversationId, {
            id: op.id,
            displayName: op.displayName,
            supervisor: isSupervisor,
          });
          return {};
        },
      },
      { budget, inFlight, log: app.log },
    );

    socket.on('disconnect', () => {
      live.delete(socket.id);
      for (const id of watching) {
        service.unmonitor(id, ref).catch((err) => app.log.warn({ err }, 'unmonitor failed'));
      }
      app.metrics.operatorsConnected.dec();
      service
        .operatorDisconnected(op.id, socket.id)
        .catch((err) => app.log.warn({ err }, 'operator disconnect handling failed'));
    });

    try {
      await socket.join(
        isSupervisor
          ? [operatorRoom(op.id), ROOM_OPERATORS, ROOM_SUPERVISORS]
          : [operatorRoom(op.id), ROOM_OPERATORS],
      );
      await service.operatorConnected(ref, socket.id);
      socket.emit('operator:state', await service.operatorState(op.id));
      socket.emit('queue:snapshot', { waiting: await service.waitingList() });
      await service.resendAssigned(op.id, (payload) => socket.emit('chat:assigned', payload as never));
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
