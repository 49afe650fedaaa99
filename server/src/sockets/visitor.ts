import { AppError, visitorInboundSchemas } from '@stille-lijn/shared';
import type { FastifyInstance } from 'fastify';
import type { Namespace, Socket } from 'socket.io';
import { visitorRoom } from '../conversations/service.ts';
import { addressBucket, clientAddress } from '../http/client-address.ts';
import { afterAck, bindEvents, EventBudget, type InFlight } from './guard.ts';

/**
 * The bucket of the address a socket came from (IPv6 per /64), as our proxies saw it;
 * only ever hashed, never stored or logged.
 */
export function socketAddress(socket: Socket, trustProxy: number): string {
  return addressBucket(clientAddress(socket.request, trustProxy) || socket.handshake.address);
}

/**
 * `/visitor`: anonymous, cookieless. One socket holds at most one conversation,
 * and every event acts only on that one.
 */
export function setupVisitorNamespace(app: FastifyInstance, nsp: Namespace, inFlight: InFlight): () => void {
  const service = app.conversations;
  const { config } = app;

  // Connection rate per hashed address.
  nsp.use(async (socket, next) => {
    try {
      // Every per-address rule counts under this keyed hash; the address itself is never kept.
      socket.data.addressHash = app.cipher.keyedHash(socketAddress(socket, config.trustProxy), 'ip');
      const key = app.key('throttle', 'conn', socket.data.addressHash);
      const res = await app.redis.multi().incr(key).pexpire(key, 60_000, 'NX').exec();
      const count = Number(res?.[0]?.[1] ?? 0);
      if (count > config.visitorConnectionsPerMin) return next(new Error('rate_limited'));
      next();
    } catch {
      next(new Error('unavailable'));
    }
  });

  // Presence: each instance refreshes the conversations of its own visitor sockets.
  const attached = new Map<string, string>(); // socket id -> conversation id
  const heartbeat = setInterval(() => {
    service
      .visitorHeartbeat([...attached.values()])
      .catch((err) => app.log.warn({ err }, 'visitor heartbeat failed'));
  }, 15_000);
  heartbeat.unref();

  nsp.on('connection', (socket) => {
    app.metrics.visitorsConnected.inc();
    let conversationId: string | undefined;
    let starting = false;
    let left = false;
    const addressHash = socket.data.addressHash ?? '';
    const budget = new EventBudget(config.socketEventsPerSecond);

    const own = (): string => {
      if (!conversationId) throw new AppError('not_found', 'There is no conversation on this connection.');
      return conversationId;
    };
    const attach = async (id: string) => {
      conversationId = id;
      left = false;
      attached.set(socket.id, id);
      await socket.join(visitorRoom(id));
      await service.visitorHeartbeat([id]);
    };

    bindEvents(
      socket,
      visitorInboundSchemas,
      {
        'chat:start': async (p) => {
          // Claimed before the first await: starts sent at once on one socket create one conversation.
          if (conversationId || starting)
            throw new AppError('conflict', 'This connection already has a conversation.');
          starting = true;
          try {
            const ack = await service.start(p, socket.id, addressHash);
            await attach(ack.conversationId);
            return ack;
          } finally {
            starting = false;
          }
        },
        'chat:resume': async (p) => {
          let ack: Awaited<ReturnType<typeof service.resumeByToken>>;
          if ('resumeToken' in p) {
            ack = await service.resumeByToken(p.resumeToken, p.lastMessageId, socket.id);
          } else {
            ack = await service.resumeByReturnCode(p.returnCode, socket.id, addressHash);
          }
          if (conversationId && conversationId !== ack.conversationId) {
            await socket.leave(visitorRoom(conversationId));
          }
          // An older socket of the same conversation (a half-dead connection) is closed.
          nsp.in(visitorRoom(ack.conversationId)).except(socket.id).disconnectSockets(true);
          await attach(ack.conversationId);
          return ack;
        },
        'chat:message': async (p) => {
          const started = performance.now();
          const r = await service.visitorMessage(own(), p.clientMessageId, p.text);
          // Stored: ack first, then relay.
          return {
            messageId: r.messageId,
            at: r.at,
            [afterAck]: () => {
              r.relay?.();
              app.metrics.relaySeconds.observe(
                { direction: 'visitor' },
                (performance.now() - started) / 1000,
              );
            },
          };
        },
        'chat:typing': async (p) => {
          if (conversationId) await service.visitorTyping(conversationId, p.typing);
          return undefined;
        },
        'chat:leave': async (p) => {
          const id = own();
          left = true;
          await service.visitorLeave(id, p.reason);
          attached.delete(socket.id);
          await service.visitorGone(id);
          if (p.reason === 'ended') {
            await socket.leave(visitorRoom(id));
            conversationId = undefined;
          }
          return {};
        },
      },
      { budget, inFlight, log: app.log },
    );

    socket.on('disconnect', () => {
      app.metrics.visitorsConnected.dec();
      attached.delete(socket.id);
      if (conversationId && !left) {
        service.visitorGone(conversationId).catch(() => {});
        service
          .visitorDisconnected(conversationId, socket.id)
          .catch((err) => app.log.warn({ err }, 'visitor disconnect handling failed'));
      }
    });
  });

  return () => clearInterval(heartbeat);
}
