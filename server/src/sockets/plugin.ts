import fp from 'fastify-plugin';
import { Server } from 'socket.io';
import { createPeerAwareAdapter, PEER_HELLO, PeerWatch } from './adapter.ts';
import type { SocketFeatures } from './features.ts';
import { InFlight } from './guard.ts';
import { relayParser, socketChannel } from './notify-plugin.ts';
import { type OperatorSockets, setupOperatorNamespace } from './operator.ts';
import { setupVisitorNamespace } from './visitor.ts';

declare module 'fastify' {
  interface FastifyInstance {
    io: Server;
    /**
     * What each feature plugin adds to the namespaces: handlers for some of their events.
     * @example app.socketFeatures.operator.push((ctx) => ({ 'chat:end': async (p) => … }))
     */
    socketFeatures: SocketFeatures;
    /** The `/operator` sockets, for changes that must reach them at once. */
    operatorSockets: Pick<OperatorSockets, 'accessChanged'>;
  }
}

/** Frames above this size close the connection (a message is at most 2,000 characters). */
export const MAX_FRAME_BYTES = 16 * 1024;

/**
 * Socket.IO on Fastify's HTTP server, with the pub/sub Redis adapter from the start so
 * that instances share rooms. (Not the streams adapter: it would store every broadcast,
 * message text included, as plain JSON in Redis.) Registered before the features, which
 * add their events to `socketFeatures`; the namespaces bind them on each connection.
 */
export default fp(
  async (app) => {
    // The adapter fires PUBLISH and (UN)SUBSCRIBE without awaiting them: newRedis gives
    // them a handler (redis/connect.ts, catchUnawaited), so Redis away is no unhandled rejection.
    const pub = app.newRedis();
    const sub = app.newRedis();
    const inFlight = new InFlight();
    const peers = new PeerWatch();
    const io = new Server(app.server, {
      serveClient: false,
      // While draining for a shutdown, no new Engine.IO session either (clients retry elsewhere).
      allowRequest: (_req, accept) => accept(inFlight.draining ? 'unavailable' : null, !inFlight.draining),
      maxHttpBufferSize: MAX_FRAME_BYTES,
      cookie: false,
      pingInterval: 10_000,
      pingTimeout: 10_000,
      connectTimeout: 10_000,
      adapter: createPeerAwareAdapter(
        pub,
        sub,
        { key: socketChannel(app.config.redisPrefix), parser: relayParser(app) },
        peers,
      ),
      // A connection costs no compression context; a message is small text.
      perMessageDeflate: false,
      httpCompression: false,
    });
    // Namespaces other than ours are refused.
    io.of('/').use((_socket, next) => next(new Error('unknown_namespace')));
    app.decorate('io', io);
    app.decorate('socketFeatures', { visitor: [], operator: [] });

    const stopVisitors = setupVisitorNamespace(app, io.of('/visitor'), inFlight);
    const operatorSockets = setupOperatorNamespace(app, io.of('/operator'), inFlight);
    app.decorate('operatorSockets', { accessChanged: operatorSockets.accessChanged });

    // Broadcasts stay on this instance while no other one shares its rooms (adapter.ts).
    const visitors = io.of('/visitor');
    const countInstances = () => visitors.adapter.serverCount();
    visitors.on(PEER_HELLO, (ack: unknown) => {
      peers.heardHello();
      if (typeof ack === 'function') ack(true);
    });
    let subscribedOnce = false;
    sub.on('ready', () => {
      if (!subscribedOnce) {
        subscribedOnce = true;
        return;
      }
      // Re-subscribed after a reconnect: the others may have counted us gone.
      peers.heardHello();
      visitors.serverSideEmit(PEER_HELLO);
    });
    app.addHook('onReady', async () => {
      // Before the first socket: every other instance publishes to us from now on.
      await visitors.serverSideEmitWithAck(PEER_HELLO).catch((err: Error) => {
        app.log.warn({ err }, 'an instance did not answer hello; it notices this one within seconds');
      });
      await peers.check(countInstances);
      peers.start(countInstances);
    });

    // Shutdown: stop taking connections, let in-flight handlers ack, then close sockets.
    for (const nsp of [io.of('/visitor'), io.of('/operator')]) {
      nsp.use((_socket, next) => (inFlight.draining ? next(new Error('unavailable')) : next()));
    }
    let forceClose: NodeJS.Timeout | undefined;
    app.addHook('preClose', async () => {
      inFlight.draining = true;
      // Socket.IO's requests never reach Fastify, which would answer them `Connection:
      // close` while closing. Without this a console that keeps reconnecting over one
      // keep-alive connection would hold server.close() open indefinitely.
      app.server.prependListener('request', (_req, res) => res.setHeader('connection', 'close'));
      await inFlight.idle(5000);
      // The acks are out; now close the connections so the HTTP server can stop.
      io.engine.close();
      // A request still running after this is cut: shutdown must end.
      forceClose = setTimeout(() => app.server.closeAllConnections(), 5000);
      forceClose.unref();
    });
    app.addHook('onClose', async () => {
      clearTimeout(forceClose);
      peers.stop();
      operatorSockets.stop();
      stopVisitors();
      await new Promise<void>((resolve) => io.close(() => resolve()));
      pub.disconnect();
      sub.disconnect();
    });
  },
  { name: 'sockets', dependencies: ['redis', 'crypto', 'auth', 'metrics', 'audit'] },
);
