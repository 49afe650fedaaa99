import { refusal, visitorInboundSchemas } from '@stille-lijn/shared';
import type { FastifyInstance } from 'fastify';
import type { Namespace } from 'socket.io';
import { addressBucket, clientAddress, networkBucket } from '../http/client-address.ts';
import { mergeHandlers, type VisitorContext, type VisitorHandlers, type VisitorSocket } from './features.ts';
import { bindEvents, EventBudget, type InFlight } from './guard.ts';
import { visitorMessageRoom, visitorRoom } from './notifier.ts';
import { handshakeOriginAllowed } from './origin.ts';

/**
 * The bucket of the address a socket came from (IPv6 per /64), as our proxies saw it;
 * only ever hashed, never stored or logged.
 */
export function socketAddress(socket: VisitorSocket, trustProxy: number): string {
  return addressBucket(clientAddress(socket.request, trustProxy) || socket.handshake.address);
}

const VISITOR_EVENTS = Object.keys(visitorInboundSchemas);

/**
 * How long a live socket counts for its address without a refresh: four visitor heartbeats
 * (15 s). The sockets of an instance that crashed, or of a handshake whose client left
 * before it completed, stop counting after this; nobody else has to clean them up.
 */
const LIVE_SOCKET_TTL_MS = 60_000;

/**
 * Sorted set: the live visitor sockets of one hashed address (socket id, scored by when it
 * stops counting without a refresh). Shared by every instance, so the cap holds however
 * the load balancer spreads one address.
 */
const liveSocketsKey = (app: FastifyInstance, addressHash: string) =>
  app.keys.join('sockets', 'visitor', addressHash);

/**
 * `/visitor`: anonymous, cookieless. One socket holds at most one conversation, and every
 * event acts only on that one. The events themselves are the features' (conversations,
 * messages); this wires them to each socket.
 */
export function setupVisitorNamespace(app: FastifyInstance, nsp: Namespace, inFlight: InFlight): () => void {
  const { config } = app;

  // A foreign page's browser first, before anything is counted or stored; then the
  // connection rate per hashed address.
  nsp.use(async (socket, next) => {
    const { headers } = socket.handshake;
    if (!handshakeOriginAllowed(headers.origin, headers.host, config.publicOrigin))
      return next(new Error('forbidden'));
    try {
      // Every per-address rule counts under this keyed hash; the address itself is never kept.
      socket.data.addressHash = app.cipher.keyedHash(socketAddress(socket, config.trustProxy), 'ip');
      const key = app.keys.connectionThrottle(socket.data.addressHash);
      const res = await app.redis.multi().incr(key).pexpire(key, 60_000, 'NX').exec();
      if (Number(res?.[0]?.[1] ?? 0) > config.visitorConnectionsPerMin)
        return next(new Error('rate_limited'));
      // Counted first, then checked: two handshakes at once may both be refused at the
      // cap, but the cap is never passed. Each entry expires unless its instance refreshes it.
      const live = liveSocketsKey(app, socket.data.addressHash);
      const now = Date.now();
      const counted = await app.redis
        .multi()
        .zremrangebyscore(live, '-inf', now)
        .zadd(live, now + LIVE_SOCKET_TTL_MS, socket.id)
        .zcard(live)
        .pexpire(live, LIVE_SOCKET_TTL_MS)
        .exec();
      if (Number(counted?.[2]?.[1] ?? 0) > config.visitorSocketsPerAddress) {
        await app.redis.zrem(live, socket.id);
        return next(new Error('rate_limited'));
      }
      next();
    } catch {
      next(new Error('unavailable'));
    }
  });

  // Presence: each instance refreshes the conversations of its own visitor sockets, and
  // keeps its sockets counted for their addresses.
  const attached = new Map<string, string>(); // socket id -> conversation id
  const live = new Map<string, string>(); // socket id -> its address's live-sockets key
  /** Moves the expiry of this instance's sockets on; `XX`: a socket gone meanwhile is not added back. */
  const refreshLiveSockets = async (): Promise<void> => {
    if (live.size === 0) return;
    const until = Date.now() + LIVE_SOCKET_TTL_MS;
    const byKey = new Map<string, (string | number)[]>();
    for (const [socketId, key] of live) {
      const args = byKey.get(key) ?? [];
      args.push(until, socketId);
      byKey.set(key, args);
    }
    const refresh = app.redis.pipeline();
    for (const [key, args] of byKey) refresh.zadd(key, 'XX', ...args).pexpire(key, LIVE_SOCKET_TTL_MS);
    await refresh.exec();
  };
  const heartbeat = setInterval(() => {
    app.presence
      .visitorHeartbeat([...attached.values()])
      .catch((err) => app.log.warn({ err }, 'visitor heartbeat failed'));
    refreshLiveSockets().catch((err) => app.log.warn({ err }, 'visitor socket count refresh failed'));
  }, 15_000);
  heartbeat.unref();

  nsp.on('connection', (socket: VisitorSocket) => {
    app.metrics.visitorsConnected.inc();
    const liveKey = liveSocketsKey(app, socket.data.addressHash ?? '');
    live.set(socket.id, liveKey);
    let conversationId: string | undefined;
    /** The rooms of the conversation this socket joined: its visitor room and its message room. */
    let rooms: string[] = [];
    let left = false;
    /** The socket closed without leaving: not present, and away for the return window. */
    const disconnected = async (id: string): Promise<void> => {
      await app.presence.visitorGone(id).catch(() => {});
      await app.presence
        .visitorDisconnected(id, socket.id)
        .catch((err) => app.log.warn({ err }, 'visitor disconnect handling failed'));
    };
    const ctx: VisitorContext = {
      socket,
      addressHash: socket.data.addressHash ?? '',
      networkHash: app.cipher.keyedHash(networkBucket(socketAddress(socket, config.trustProxy)), 'ip'),
      starting: false,
      get conversationId() {
        return conversationId;
      },
      own() {
        if (!conversationId) throw refusal('no_conversation');
        return conversationId;
      },
      async attach(id, floor) {
        for (const room of rooms) await socket.leave(room);
        rooms = [visitorRoom(id), visitorMessageRoom(id, floor)];
        conversationId = id;
        left = false;
        // Closed while its start or resume was in flight (a quick exit right after Start):
        // its disconnect found no conversation, so the conversation is left here. Kept in
        // `attached`, this instance's heartbeat would show it present for ever.
        if (socket.disconnected) {
          await disconnected(id);
          return;
        }
        attached.set(socket.id, id);
        await socket.join(rooms);
        await app.presence.visitorHeartbeat([id]);
      },
      async left(ended) {
        const id = conversationId;
        if (!id) return;
        left = true;
        attached.delete(socket.id);
        await app.presence.visitorGone(id);
        if (ended) {
          for (const room of rooms) await socket.leave(room);
          rooms = [];
          conversationId = undefined;
        }
      },
    };
    const handlers = mergeHandlers<VisitorHandlers>(
      VISITOR_EVENTS,
      app.socketFeatures.visitor.map((feature) => feature(ctx)),
    );
    bindEvents(socket, visitorInboundSchemas, handlers, {
      budget: new EventBudget(config.socketEventsPerSecond),
      inFlight,
      log: app.log,
    });

    socket.on('disconnect', () => {
      app.metrics.visitorsConnected.dec();
      attached.delete(socket.id);
      live.delete(socket.id);
      // Unreachable Redis: the entry expires with LIVE_SOCKET_TTL_MS, as after a crash.
      app.redis.zrem(liveKey, socket.id).catch(() => undefined);
      if (conversationId && !left) void disconnected(conversationId);
    });
  });

  return () => clearInterval(heartbeat);
}
