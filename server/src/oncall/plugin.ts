import fp from 'fastify-plugin';
import { OnCall } from './service.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** On-call paging through ONCALL_WEBHOOK_URL. */
    oncall: OnCall;
  }
}

export default fp(
  async (app) => {
    app.decorate(
      'oncall',
      new OnCall({
        redis: app.redis,
        keys: app.keys,
        config: app.config,
        log: app.log,
        figures: (line) => app.queueView.figures(line),
      }),
    );
  },
  { name: 'oncall', dependencies: ['redis', 'routing'] },
);
