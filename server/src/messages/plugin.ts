import fp from 'fastify-plugin';
import { operatorMessageEvents, visitorMessageEvents } from './handlers.ts';
import { MessageService } from './service.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** The message path, typing and private notes. */
    messages: MessageService;
  }
}

export default fp(
  async (app) => {
    const messages = new MessageService({
      redis: app.redis,
      keys: app.keys,
      store: app.store,
      notifier: app.notifier,
      audit: app.audit,
      config: app.config,
      durable: app.durable,
    });
    app.decorate('messages', messages);
    if (app.hasDecorator('socketFeatures')) {
      app.socketFeatures.visitor.push(visitorMessageEvents(messages, app.metrics.relaySeconds));
      app.socketFeatures.operator.push(operatorMessageEvents(messages, app.metrics.relaySeconds));
    }
  },
  { name: 'messages', dependencies: ['conversation-store', 'notify', 'audit', 'metrics'] },
);
