import { AppError, type Conversation, type OperatorRole } from '@stille-lijn/shared';
import {
  conversationViewResponseSchema,
  idParamsSchema,
  myConversationsResponseSchema,
} from '@stille-lijn/shared/rest';
import fp from 'fastify-plugin';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { currentOperator } from '../auth/plugin.ts';

const isSupervisor = (role: OperatorRole) => role === 'supervisor' || role === 'admin';

/**
 * `GET /api/conversations` (the caller's active and recently ended conversations) and
 * `GET /api/conversations/:id` (its holder, or a supervisor, audited).
 */
export default fp(
  async (app) => {
    const store = app.store;
    const routes = app.withTypeProvider<ZodTypeProvider>();
    const mine = { response: { 200: myConversationsResponseSchema } };
    routes.get('/api/conversations', { schema: mine, preValidation: app.requireOperator }, async (req) => {
      const me = currentOperator(req).id;
      const [active, ended] = await Promise.all([app.roster.conversationsOf(me), app.roster.endedOf(me)]);
      const all = await Promise.all(
        [...active, ...ended].map((id) => store.conversation(id).catch(() => null)),
      );
      return { conversations: all.filter((c): c is Conversation => c !== null) };
    });

    const one = { params: idParamsSchema, response: { 200: conversationViewResponseSchema } };
    routes.get('/api/conversations/:id', { schema: one, preValidation: app.requireOperator }, async (req) => {
      const { id } = req.params;
      const op = currentOperator(req);
      const holder = await store.lastOperatorOf(id);
      if (holder !== op.id && !isSupervisor(op.role)) throw new AppError('forbidden');
      // Another line's conversation: the same answer (PROTOCOL.md, "Lines").
      if (!(await app.lineAccess.mayReach(op, id))) throw new AppError('forbidden');
      const conversation = await store.conversation(id);
      if (holder !== op.id) await app.audit.record('read', op.id, id);
      const [messages, notes] = await Promise.all([
        store.messages(id, { forOperator: true }),
        store.notes(id),
      ]);
      return { conversation, messages, notes };
    });
  },
  {
    name: 'conversation-routes',
    dependencies: ['auth', 'conversation-store', 'routing', 'audit', 'lines'],
  },
);
