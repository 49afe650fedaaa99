import fp from 'fastify-plugin';
import { signalEvents } from './handlers.ts';
import { SignalService } from './service.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** Danger signals in the visitor's words. */
    signals: SignalService;
  }
}

/** Danger signals: read on every visitor message, routed while waiting, shown to operators. */
export default fp(
  async (app) => {
    const signals = new SignalService({
      redis: app.redis,
      keys: app.keys,
      store: app.store,
      notifier: app.notifier,
      audit: app.audit,
      rescore: (r, urgent, highSignal) => app.router.rescore(r, urgent, highSignal),
      queueChanged: () => app.queueView.changed(),
    });
    app.decorate('signals', signals);
    app.addHook('onClose', async () => signals.close());
    if (app.hasDecorator('socketFeatures')) app.socketFeatures.operator.push(signalEvents(signals));
  },
  { name: 'signals', dependencies: ['conversation-store', 'routing', 'notify', 'audit'] },
);
