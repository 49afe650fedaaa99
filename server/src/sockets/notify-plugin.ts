import { Emitter } from '@socket.io/redis-emitter';
import type { OperatorServerToClientEvents, VisitorServerToClientEvents } from '@stille-lijn/shared';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { decorateLineAccess } from '../lines/line-access.ts';
import { Notifier } from './notifier.ts';
import { SealedParser } from './sealed-parser.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** Every push to clients, typed with the shared event maps. */
    notifier: Notifier;
  }
}

/** The channel prefix shared by the Socket.IO Redis adapter and the emitter. */
export const socketChannel = (prefix: string) => `${prefix}:socket.io`;

/**
 * The parser of every payload the Redis adapter and the emitter publish: sealed under the
 * data keys' relay subkey and bound to the channel prefix (`sealed-parser.ts`). The adapter
 * and the emitter must share it, since the adapters open what a worker's emitter publishes.
 */
export function relayParser(app: FastifyInstance): SealedParser {
  return new SealedParser(app.cipher.dataSubkeys('sl-relay'), socketChannel(app.config.redisPrefix), app.log);
}

/**
 * In a server process, pushes go through Socket.IO (its Redis adapter reaches the other
 * instances); in a worker process there is no Socket.IO server, so through the Redis emitter.
 */
export default fp(
  async (app) => {
    decorateLineAccess(app);
    const linesOf = (conversationId: string) => app.lineAccess.linesOf(conversationId);
    if (app.hasDecorator('io')) {
      app.decorate(
        'notifier',
        new Notifier({ visitor: app.io.of('/visitor'), operator: app.io.of('/operator'), linesOf }),
      );
      return;
    }
    const opts = { key: socketChannel(app.config.redisPrefix), parser: relayParser(app) };
    app.decorate(
      'notifier',
      new Notifier({
        visitor: new Emitter<VisitorServerToClientEvents>(app.redis, opts).of('/visitor'),
        operator: new Emitter<OperatorServerToClientEvents>(app.redis, opts).of('/operator'),
        linesOf,
      }),
    );
  },
  { name: 'notify', dependencies: ['redis', 'lines', 'crypto'] },
);
