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
      // A failure to read signals never costs the visitor their message: it is logged
      // (a code only, never text) and the message goes on.
      readVisitorText: (conversationId, messageId, text) =>
        app.signals.visitorMessage(conversationId, messageId, text).catch((err: Error) => {
          app.log.warn(
            { code: (err as { code?: string }).code ?? err.name },
            'reading danger signals failed',
          );
        }),
      durable: app.durable,
    });
    app.decorate('messages', messages);
    // The relayed marks still waiting for their batch, before Redis closes.
    app.addHook('onClose', () => messages.flushMarks());
    if (app.hasDecorator('socketFeatures')) {
      app.socketFeatures.visitor.push(visitorMessageEvents(messages, app.metrics.relaySeconds));
      app.socketFeatures.operator.push(operatorMessageEvents(messages, app.metrics.relaySeconds));
    }
  },
  { name: 'messages', dependencies: ['conversation-store', 'notify', 'audit', 'metrics', 'signals'] },
);
