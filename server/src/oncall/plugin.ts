import fp from 'fastify-plugin';
import { OnCall, unstaffedLines } from './service.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** On-call paging through ONCALL_WEBHOOK_URL. */
    oncall: OnCall;
  }
}

export default fp(
  async (app) => {
    const oncall = new OnCall({
      redis: app.redis,
      keys: app.keys,
      config: app.config,
      log: app.log,
      figures: (line) => app.queueView.figures(line),
      unstaffedLines: () => unstaffedLines(app.queueView),
    });
    app.decorate('oncall', oncall);
    // Pages under way stop at shutdown; a claim left behind expires by itself.
    app.addHook('onClose', () => oncall.close());
  },
  { name: 'oncall', dependencies: ['redis', 'routing'] },
);
