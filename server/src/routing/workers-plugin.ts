import fp from 'fastify-plugin';
import { closeWorkers } from '../queues/workers.ts';
import { startWorkers } from './jobs.ts';

/** Runs the BullMQ workers in this process unless WORKERS=none (then `npm run worker` runs them). */
export default fp(
  async (app) => {
    if (app.config.workers !== 'inline') return;
    const workers = await startWorkers(app);
    app.addHook('onClose', async () => closeWorkers(workers));
  },
  {
    name: 'workers',
    dependencies: ['routing', 'presence', 'conversations', 'supervision', 'shift', 'queues'],
  },
);
