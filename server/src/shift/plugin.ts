import fp from 'fastify-plugin';
import { shiftEvents } from './handlers.ts';
import { Shift } from './service.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** Breaks, debriefs and the end of a shift. */
    shift: Shift;
  }
}

export default fp(
  async (app) => {
    const shift = new Shift({
      store: app.store,
      roster: app.roster,
      router: app.router,
      presence: app.presence,
      messages: app.messages,
      supervision: app.supervision,
      audit: app.audit,
      config: app.config,
      log: app.log,
      keys: app.keys,
    });
    app.decorate('shift', shift);
    app.lifecycle.setBreakRule((record) => shift.breakAfter(record));
    app.lifecycle.onEnded((e) => shift.afterEnded(e));
    if (app.hasDecorator('socketFeatures')) app.socketFeatures.operator.push(shiftEvents(shift));
  },
  { name: 'shift', dependencies: ['conversations', 'presence', 'messages', 'supervision', 'routing'] },
);
