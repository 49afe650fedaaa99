import { Emitter } from '@socket.io/redis-emitter';
import fp from 'fastify-plugin';
import { type Broadcaster, ConversationService } from './service.ts';

declare module 'fastify' {
  interface FastifyInstance {
    conversations: ConversationService;
  }
}

/** The channel prefix shared by the Socket.IO Redis adapter and the emitter. */
export const socketChannel = (prefix: string) => `${prefix}:socket.io`;

export default fp(
  async (app) => {
    let emitter: Emitter | undefined;
    // In a server process, emit through Socket.IO (its Redis adapter reaches the other
    // instances); in a worker process there is no Socket.IO server, so use the emitter.
    const broadcast: Broadcaster = {
      of: (nsp) => {
        if (app.hasDecorator('io')) return app.io.of(nsp) as unknown as ReturnType<Broadcaster['of']>;
        emitter ??= new Emitter(app.redis, { key: socketChannel(app.config.redisPrefix) });
        return emitter.of(nsp) as unknown as ReturnType<Broadcaster['of']>;
      },
    };
    const service = new ConversationService({
      redis: app.redis,
      config: app.config,
      cipher: app.cipher,
      broadcast,
      log: app.log,
      conversationsQueue: app.queues.conversations,
      retentionQueue: app.queues.retention,
      metrics: { waitSeconds: app.metrics.waitSeconds, assignments: app.metrics.assignments },
    });
    app.decorate('conversations', service);
    app.addHook('onClose', async () => service.close());
  },
  { name: 'conversations', dependencies: ['redis', 'crypto', 'queues', 'metrics'] },
);
