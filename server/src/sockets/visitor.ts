import { refusal, visitorInboundSchemas } from '@stille-lijn/shared';
import type { FastifyInstance } from 'fastify';
import type { Namespace } from 'socket.io';
import { addressBucket, clientAddress, networkBucket } from '../http/client-address.ts';
import { prepareScripts, runScript } from '../redis/scripts.ts';
import { mergeHandlers, type VisitorContext, type VisitorHandlers, type VisitorSocket } from './features.ts';
import { bindEvents, EventBudget, type Handler, type InFlight } from './guard.ts';
import { LiveSockets } from './live-sockets.ts';
import { visitorMessageRoom, visitorRoom } from './notifier.ts';
import { handshakeOriginAllowed } from './origin.ts';
import { countConnectionScript } from './scripts.ts';

/**
 * The bucket of the address a socket came from (IPv6 per /64), as our proxies saw it;
 * only ever hashed, never stored or logged.
 */
export function socketAddress(socket: VisitorSocket, trustProxy: number): string {
  return addressBucket(clientAddress(socket.request, trustProxy) || socket.handshake.address);
}

const VISITOR_EVENTS = Object.keys(visitorInboundSchemas);

/**
 * How long an idle socket's entry outlasts VISITOR_IDLE_S. The idle timer closes the socket
 * first and its disconnect frees the place; the margin keeps a socket counted while a
 * timer runs late on a busy event loop. The entries of an instance that crashed, or of a
 * handshake whose client left before it completed, lapse by themselves after it.
 */
const IDLE_ENTRY_GRACE_MS = 15_000;

/**
 * How long a socket past its address's connection rate may stay without a conversation: it
 * takes no place among the address's idle sockets, so this bounds what a flood of them holds.
 * Ample for the widget's resume, sent as soon as it is connected.
 */
const OVER_RATE_IDLE_MS = 10_000;

/**
 * How long a socket that just connected (or just left its conversation) may keep going
 * after it lost its place: her reconnecting socket counts as idle until her resume arrives,
 * a round trip later on a bad phone line, and a burst of sockets opened on her network in
 * that time must not close it. Short, since it is what a burst holds beyond the cap.
 */
const YOUNG_SOCKET_GRACE_MS = 3_000;

/**
 * The longest an event that acts on the socket's conversation (`chat:leave`, `chat:message`,
 * `chat:typing`) waits for a `chat:start` or `chat:resume` still under way on the same socket.
 * As long as the widget waits for an answer; past it the event is handled as it finds the
 * socket, as when it came first.
 */
const JOIN_WAIT_MS = 10_000;

/** Resolves once every one of `runs` has settled, or after `ms`, whichever comes first. */
async function settledOrLate(runs: Promise<unknown>[], ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  try {
    await Promise.race([Promise.allSettled(runs), late]);
  } finally {
    clearTimeout(timer);
  }
}

/** `chat:start` on a socket whose handshake came past its address's connection rate. */
const refuseOverRate = (): never => {
  throw refusal('connection_limit');
};

/** Server-to-server (Socket.IO `serverSideEmit`): a socket lost its address's place to a newer one. */
const VISITOR_EVICTED = 'visitor:evicted';
/** Server-to-server: a resume took a conversation over at `at`; its sockets that joined before close. */
const VISITOR_TAKEN_OVER = 'visitor:taken-over';

/**
 * `/visitor`: anonymous, cookieless. One socket holds at most one conversation, and every
 * event acts only on that one. The events themselves are the features' (conversations,
 * messages); this wires them to each socket.
 */
export function setupVisitorNamespace(app: FastifyInstance, nsp: Namespace, inFlight: InFlight): () => void {
  const { config } = app;
  prepareScripts(app.redis, [countConnectionScript]);
  /**
   * The visitor sockets without a conversation of each hashed address, on all instances
   * (`sockets:visitor:<address hash>`). Entries are never refreshed: each lasts as long as
   * its socket may stay idle, so they lapse in the order their sockets came and the first
   * to lapse is the oldest, the one that makes room.
   */
  const idleSockets = new LiveSockets(app.redis, {
    key: (addressHash) => app.keys.join('sockets', 'visitor', addressHash),
    ttlMs: config.visitorIdleMs + IDLE_ENTRY_GRACE_MS,
    max: config.visitorSocketsPerAddress,
  });
  /** This instance's sockets without a conversation, each with its idle timer. */
  const idle = new Map<
    string,
    { socket: VisitorSocket; timer: NodeJS.Timeout; joining: () => boolean; since: number }
  >();
  /**
   * Closes a socket of this instance that lost its place, unless it has a conversation by
   * now or a start or resume is under way on it: the place went to the newcomer either way.
   * One idle for less than YOUNG_SOCKET_GRACE_MS is closed only once that is over, if it is
   * still idle then, and in the same idle spell (not counted again after a `chat:leave`).
   */
  const closeIfIdle = (socketId: string): void => {
    const entry = idle.get(socketId);
    if (!entry) return;
    const close = () => {
      if (idle.get(socketId) === entry && !entry.joining()) entry.socket.disconnect(true);
    };
    const young = entry.since + YOUNG_SOCKET_GRACE_MS - Date.now();
    if (young > 0) setTimeout(close, young).unref();
    else close();
  };
  /**
   * A socket that lost its place is closed where it lives: here, or by its instance. One
   * whose handshake is still under way is found nowhere; it idles out uncounted.
   */
  const evict = (socketId: string): void => {
    if (nsp.sockets.has(socketId)) closeIfIdle(socketId);
    else nsp.serverSideEmit(VISITOR_EVICTED, socketId);
  };
  nsp.on(VISITOR_EVICTED, (socketId: unknown) => {
    if (typeof socketId === 'string') closeIfIdle(socketId);
  });
  /**
   * Another instance's resume: this instance's sockets of the conversation close, but only
   * those that joined before the order was given. It comes through Redis pub/sub, late when
   * the subscriber lags (a failover, a busy server), and by then she may have resumed again
   * on a newer socket here, which must stay. (Socket.IO's own `disconnectSockets` through the
   * adapter looks at the room only when the order comes back, and closed that newer socket.)
   * The instances' clocks are assumed to agree to within a few milliseconds (NTP).
   */
  nsp.on(VISITOR_TAKEN_OVER, (order: unknown) => {
    const { conversationId, at } = (order ?? {}) as { conversationId?: unknown; at?: unknown };
    if (typeof conversationId !== 'string' || typeof at !== 'number' || !Number.isFinite(at)) return;
    for (const sid of nsp.adapter.rooms.get(visitorRoom(conversationId)) ?? []) {
      const older = nsp.sockets.get(sid);
      if (older && (older.data.joinedAt ?? 0) < at) older.disconnect(true);
    }
  });

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
      const count = await runScript(app.redis, countConnectionScript, { counter: key }, { windowMs: 60_000 });
      // Past the rate the socket is admitted all the same, but may not start: refusing the
      // handshake would let connections opened on her Wi-Fi keep a victim from reconnecting
      // to her conversation or redeeming her return code, which have budgets of their own.
      // What the flood costs stays bounded by the idle-socket cap and VISITOR_IDLE_S below.
      socket.data.overRate = count > config.visitorConnectionsPerMin;
      // Never refused for the sockets already open, which would let idle ones opened on her
      // Wi-Fi keep a victim out: past the cap, the address's oldest idle socket makes room.
      // Not for a socket past the rate, though: a flood of those would close hers before her
      // resume reached the server. It takes no place, and closes soon if it resumes nothing.
      if (!socket.data.overRate)
        for (const id of await idleSockets.claimEvicting(socket.data.addressHash, socket.id)) evict(id);
      next();
    } catch {
      next(new Error('unavailable'));
    }
  });

  // Presence: each instance refreshes the conversations of its own visitor sockets.
  const attached = new Map<string, string>(); // socket id -> conversation id
  const heartbeat = setInterval(() => {
    app.presence
      .visitorHeartbeat([...attached.values()])
      .catch((err) => app.log.warn({ err }, 'visitor heartbeat failed'));
  }, 15_000);
  heartbeat.unref();

  nsp.on('connection', (socket: VisitorSocket) => {
    app.metrics.visitorsConnected.inc();
    const addressHash = socket.data.addressHash ?? '';
    /** `chat:start`s and `chat:resume`s under way on this socket. */
    const joining = new Set<Promise<unknown>>();
    /**
     * Without a conversation: closed after VISITOR_IDLE_S, and counted for its address (at
     * the handshake; `recount` after a conversation left it), where a newer one may take its place.
     */
    const becomeIdle = (recount: boolean): void => {
      if (idle.has(socket.id) || socket.disconnected) return;
      // One past the connection rate that took no place (above) may only resume, at once.
      const idleMs =
        socket.data.overRate && !recount
          ? Math.min(OVER_RATE_IDLE_MS, config.visitorIdleMs)
          : config.visitorIdleMs;
      const timer = setTimeout(() => socket.disconnect(true), idleMs);
      timer.unref();
      idle.set(socket.id, { socket, timer, joining: () => joining.size > 0, since: Date.now() });
      if (!recount) return;
      idleSockets.claimEvicting(addressHash, socket.id).then(
        (ids) => {
          for (const id of ids) evict(id);
        },
        (err) => app.log.warn({ err }, 'visitor socket count failed'),
      );
    };
    /** With a conversation (or gone): neither counted nor closed for idling. */
    const noLongerIdle = (): void => {
      const entry = idle.get(socket.id);
      if (!entry) return;
      idle.delete(socket.id);
      clearTimeout(entry.timer);
      // Unreachable Redis: the entry lapses by itself, IDLE_ENTRY_GRACE_MS after its idle time.
      idleSockets.release(addressHash, socket.id).catch(() => undefined);
    };
    becomeIdle(false);
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
    // The socket's conversation is a plain field, written here only (features read it). A
    // getter over a local, as before, made every visitor context a dictionary in V8 (each
    // socket's getter a closure of its own): some 450 bytes more per visitor socket in heap
    // snapshots, and a hash lookup for each read of it on the message path.
    const ctx: { -readonly [K in keyof VisitorContext]: VisitorContext[K] } = {
      socket,
      addressHash: socket.data.addressHash ?? '',
      networkHash: app.cipher.keyedHash(networkBucket(socketAddress(socket, config.trustProxy)), 'ip'),
      starting: false,
      conversationId: undefined,
      own() {
        if (!ctx.conversationId) throw refusal('no_conversation');
        return ctx.conversationId;
      },
      async attach(id, floor) {
        noLongerIdle();
        for (const room of rooms) await socket.leave(room);
        rooms = [visitorRoom(id), visitorMessageRoom(id, floor)];
        ctx.conversationId = id;
        left = false;
        // Closed while its start or resume was in flight (a quick exit right after Start):
        // its disconnect found no conversation, so the conversation is left here. Kept in
        // `attached`, this instance's heartbeat would show it present for ever.
        if (socket.disconnected) {
          await disconnected(id);
          return;
        }
        attached.set(socket.id, id);
        socket.data.joinedAt = Date.now();
        await socket.join(rooms);
        await app.presence.visitorHeartbeat([id]);
      },
      takeOver(id) {
        // Here, every other socket in the room now joined before this one.
        nsp.local.in(visitorRoom(id)).except(socket.id).disconnectSockets(true);
        nsp.serverSideEmit(VISITOR_TAKEN_OVER, { conversationId: id, at: Date.now() });
      },
      async left(ended) {
        const id = ctx.conversationId;
        if (!id) return;
        left = true;
        attached.delete(socket.id);
        // No conversation on it any more: it counts, and idles out, like a new one.
        becomeIdle(true);
        // Its rooms as they are now: a resume that attached another conversation during the
        // await below (a script's, on one socket) keeps that one's.
        const leaving = rooms;
        await app.presence.visitorGone(id);
        if (ended && ctx.conversationId === id) {
          for (const room of leaving) await socket.leave(room);
          rooms = [];
          ctx.conversationId = undefined;
        }
      },
    };
    // An end told to this socket (the operator's, a block, the return window's) takes it off
    // the conversation, as her own leave does: the widget then disconnects, and a script that
    // stays is closed as idle instead of holding a socket no rule counts.
    socket.onAnyOutgoing((event: string) => {
      if (event === 'chat:ended' && ctx.conversationId) void ctx.left(true).catch(() => undefined);
    });
    const merged = mergeHandlers<VisitorHandlers>(
      VISITOR_EVENTS,
      app.socketFeatures.visitor.map((feature) => feature(ctx)),
    );
    // While one runs, a newer socket of the address does not close this one (`closeIfIdle`):
    // a redemption cut off before its ack would leave her without her conversation.
    const whileJoining =
      <T>(handle: Handler<T>): Handler<T> =>
      async (payload) => {
        const run = (async () => handle(payload))();
        joining.add(run);
        try {
          return await run;
        } finally {
          joining.delete(run);
        }
      };
    // An event on the socket's conversation sent right after a start or resume (End pressed
    // just after reconnecting) acts on what that brings, not on the socket as it was: refused
    // `no_conversation`, a leave would leave her conversation open and her return code valid.
    // It waits for those under way when it came (bounded); one that failed changes nothing.
    const afterJoins =
      <T>(handle: Handler<T>): Handler<T> =>
      (payload) =>
        // No wait, and no extra promise, on the message path when nothing is under way.
        joining.size > 0
          ? settledOrLate([...joining], JOIN_WAIT_MS).then(() => handle(payload))
          : handle(payload);
    const handlers = {
      ...merged,
      // Past the connection rate (the handshake): no new conversation on this socket. It is
      // refused before anything is looked at or written; resumes go on as usual.
      'chat:start': socket.data.overRate ? refuseOverRate : whileJoining(merged['chat:start']),
      'chat:resume': whileJoining(merged['chat:resume']),
      'chat:message': afterJoins(merged['chat:message']),
      'chat:typing': afterJoins(merged['chat:typing']),
      'chat:leave': afterJoins(merged['chat:leave']),
    };
    bindEvents(socket, visitorInboundSchemas, handlers, {
      budget: new EventBudget(config.socketEventsPerSecond),
      inFlight,
      log: app.log,
    });

    socket.on('disconnect', () => {
      app.metrics.visitorsConnected.dec();
      attached.delete(socket.id);
      noLongerIdle();
      // This instance stopping is not her leaving: she reconnects to another within a second.
      // Her presence entry stays, as after a crash; one who does not come back is marked
      // away by the presence sweep once it has gone stale.
      if (ctx.conversationId && !left && !inFlight.draining) void disconnected(ctx.conversationId);
    });
  });

  return () => {
    clearInterval(heartbeat);
    for (const { timer } of idle.values()) clearTimeout(timer);
  };
}
