import { idSchema } from '@stille-lijn/shared';
import fp from 'fastify-plugin';
import { z } from 'zod';
import { currentOperator } from '../auth/plugin.ts';
import { parseOrThrow } from '../http/parse.ts';
import { blockEvents } from './handlers.ts';
import { Blocks } from './service.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** Blocking abusive visitors' addresses for a few hours. */
    blocks: Blocks;
  }
}

const blockParams = z.object({ blockId: idSchema });

/** `chat:block`, and `GET /api/blocks` / `DELETE /api/blocks/:blockId` for supervisors and admins. */
export default fp(
  async (app) => {
    const blocks = new Blocks({
      redis: app.redis,
      keys: app.keys,
      store: app.store,
      lifecycle: app.lifecycle,
      notifier: app.notifier,
      audit: app.audit,
      config: app.config,
    });
    app.decorate('blocks', blocks);
    if (!app.hasDecorator('socketFeatures')) return; // a worker process: no HTTP, no sockets
    app.socketFeatures.operator.push(blockEvents(blocks));
    const supervisors = { preHandler: app.requireRole('supervisor', 'admin') };
    app.get('/api/blocks', supervisors, async () => ({ blocks: await blocks.list() }));
    app.delete('/api/blocks/:blockId', supervisors, async (req) => {
      const { blockId } = parseOrThrow(blockParams, req.params);
      await blocks.lift(blockId, currentOperator(req).id);
      return { blocks: await blocks.list() };
    });
  },
  { name: 'blocks', dependencies: ['conversations', 'auth'] },
);
