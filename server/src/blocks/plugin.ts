import { blockParamsSchema, blocksResponseSchema } from '@stille-lijn/shared/rest';
import type { FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { currentOperator } from '../auth/plugin.ts';
import { blockEvents } from './handlers.ts';
import { Blocks } from './service.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** Blocking abusive visitors' addresses for a few hours. */
    blocks: Blocks;
  }
}

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
      lines: app.lines,
    });
    app.decorate('blocks', blocks);
    if (!app.hasDecorator('socketFeatures')) return; // a worker process: no HTTP, no sockets
    app.socketFeatures.operator.push(blockEvents(blocks));
    const routes = app.withTypeProvider<ZodTypeProvider>();
    const preValidation = app.requireRole('supervisor', 'admin');
    const response = { 200: blocksResponseSchema };
    // A supervisor sees and lifts the blocks of their own lines (admins: every line).
    const linesOf = (req: FastifyRequest) => app.lineAccess.linesOfAccount(currentOperator(req));
    routes.get('/api/blocks', { schema: { response }, preValidation }, async (req) => ({
      blocks: await blocks.list(linesOf(req)),
    }));
    routes.delete(
      '/api/blocks/:blockId',
      { schema: { params: blockParamsSchema, response }, preValidation },
      async (req) => {
        const { blockId } = req.params;
        await blocks.lift(blockId, currentOperator(req).id, linesOf(req));
        return { blocks: await blocks.list(linesOf(req)) };
      },
    );
  },
  { name: 'blocks', dependencies: ['conversations', 'auth', 'lines'] },
);
