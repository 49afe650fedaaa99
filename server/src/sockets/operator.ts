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

/**
 * `/operator`: cookie-authenticated. Operators act only on conversations assigned to
 * them; everything they do is validated and audited.
 */
export function setupOperatorNamespace(app: FastifyInstance, nsp: Namespace, inFlight: InFlight): () => void {
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

  const live = new Map<string, { operatorId: string; sessionId: string }>();

  // Presence heartbeat and session re-check: an expired or revoked session is cut.
  const timer = setInterval(() => {
    const entries = [...live.entries()].map(([socketId, v]) => ({ operatorId: v.operatorId, socketId }));
    service.operatorHeartbeat(entries).catch((err) => app.log.warn({ err }, 'operator heartbeat failed'));
    for (const [socketId, v] of live) {
      app.auth
        .isSessionLive(v.sessionId)
        .then((ok) => {
          if (!ok) cut(socketId);
        })
        .catch(() => {});
    }
  }, HEARTBEAT_MS);
  timer.unref();

  const cut = (socketId: string) => {
    const s = nsp.sockets.get(socketId);
    if (!s) return;
    s.emit('session:ended');
    s.disconnect(true);
  };

  // Disabling an account or resetting its password cuts its live sockets on every instance.
  const sub = app.newRedis();
  const operatorChannel = app.key('events', 'operator-revoked');
  const sessionChannel = app.key('events', 'session-revoked');
  sub
    .subscribe(operatorChannel, sessionChannel)
    .catch((err) => app.log.warn({ err }, 'revocation subscribe failed'));
  sub.on('message', (ch: string, id: string) => {
    const field = ch === sessionChannel ? 'sessionId' : 'operatorId';
    for (const [socketId, v] of live) if (v[field] === id) cut(socketId);
  });

  nsp.on('connection', async (socket) => {
    const session = socket.data.session!;
    const op = session.operator;
    const ref = { id: op.id, displayName: op.displayName, languages: op.languages };
    live.set(socket.id, { operatorId: op.id, sessionId: session.sessionId });
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
          if (!ok) cut(socket.id);
        })
        .catch(() => {});
    });

    const owned = async (conversationId: string) => {
      await service.assertOwner(conversationId, op.id);
    };

    const isSupervisor = op.role === 'supervisor' || op.role === 'admin';
    const supervisorOnly = () => {
      if (!isSupervisor) throw new AppError('forbidden');
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
          supervisorOnly();
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
          supervisorOnly();
          if (watching.delete(p.conversationId)) {
            await socket.leave(watchRoom(p.conversationId));
            await service.unmonitor(p.conversationId, ref);
          }
          return {};
        },
        'supervisor:reassign': async (p) => {
          supervisorOnly();
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

  return () => {
    clearInterval(timer);
    sub.disconnect();
  };
}
