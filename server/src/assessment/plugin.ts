import fp from 'fastify-plugin';
import { assessmentEvents } from './handlers.ts';
import { Assessment } from './service.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** Tags, the risk checklist and acute danger. */
    assessment: Assessment;
  }
}

export default fp(
  async (app) => {
    const assessment = new Assessment({
      redis: app.redis,
      keys: app.keys,
      store: app.store,
      router: app.router,
      notifier: app.notifier,
      audit: app.audit,
      supervision: app.supervision,
      durable: app.durable,
    });
    app.decorate('assessment', assessment);
    if (app.hasDecorator('socketFeatures')) app.socketFeatures.operator.push(assessmentEvents(assessment));
  },
  { name: 'assessment', dependencies: ['conversation-store', 'routing', 'supervision'] },
);
