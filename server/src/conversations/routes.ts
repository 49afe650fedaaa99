import { AppError, type Conversation, idSchema, type OperatorRole } from '@stille-lijn/shared';
import fp from 'fastify-plugin';
import { z } from 'zod';
import { currentOperator } from '../auth/plugin.ts';
import { parseOrThrow } from '../http/parse.ts';

const idParams = z.object({ id: idSchema });
const isSupervisor = (role: OperatorRole) => role === 'supervisor' || role === 'admin';

/**
 * `GET /api/conversations` (the caller's active and recently ended conversations) and
 * `GET /api/conversations/:id` (its holder, or a supervisor, audited).
 */
export default fp(
  async (app) => {
    const store = app.store;
    app.get('/api/conversations', { preHandler: app.requireOperator }, async (req) => {
      const me = currentOperator(req).id;
      const [active, ended] = await Promise.all([app.roster.conversationsOf(me), app.roster.endedOf(me)]);
      const all = await Promise.all(
        [...active, ...ended].map((id) => store.conversation(id).catch(() => null)),
      );
      return { conversations: all.filter((c): c is Conversation => c !== null) };
    });

    app.get('/api/conversations/:id', { preHandler: app.requireOperator }, async (req) => {
      const { id } = parseOrThrow(idParams, req.params);
      const op = currentOperator(req);
      const holder = await store.lastOperatorOf(id);
      if (holder !== op.id && !isSupervisor(op.role)) throw new AppError('forbidden');
      const conversation = await store.conversation(id);
      if (holder !== op.id) await app.audit.record('read', op.id, id);
      const [messages, notes] = await Promise.all([
        store.messages(id, { forOperator: true }),
        store.notes(id),
      ]);
      return { conversation, messages, notes };
    });
  },
  { name: 'conversation-routes', dependencies: ['auth', 'conversation-store', 'routing', 'audit'] },
);
