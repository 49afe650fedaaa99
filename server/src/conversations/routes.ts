import { AppError, type Conversation, type OperatorRole } from '@stille-lijn/shared';
import {
  conversationViewResponseSchema,
  idParamsSchema,
  myConversationsResponseSchema,
} from '@stille-lijn/shared/rest';
import fp from 'fastify-plugin';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { currentOperator } from '../auth/plugin.ts';
import { UnopenedError } from '../crypto/cipher.ts';

const isSupervisor = (role: OperatorRole) => role === 'supervisor' || role === 'admin';

/**
 * `GET /api/conversations` (the caller's active and recently ended conversations that its
 * lines still reach) and `GET /api/conversations/:id` (its holder, or a supervisor, audited
 * as a look: `AuditLog.recordLook`).
 */
export default fp(
  async (app) => {
    const store = app.store;
    const routes = app.withTypeProvider<ZodTypeProvider>();
    const mine = { response: { 200: myConversationsResponseSchema } };
    routes.get('/api/conversations', { schema: mine, preValidation: app.requireOperator }, async (req) => {
      const op = currentOperator(req);
      const [active, ended] = await Promise.all([
        app.roster.conversationsOf(op.id),
        app.roster.endedOf(op.id),
      ]);
      // Only what the account's lines reach now, as `GET /api/conversations/:id` answers:
      // a change of lines requeues the active ones, but the ended ones stay in the set.
      // One purged meanwhile is simply gone; one that does not open is left out too, but
      // said (by code: a data key retired before retention removed what it sealed).
      const opened = (id: string) =>
        store.conversation(id).catch((err: unknown) => {
          if (!(err instanceof AppError && err.code === 'not_found')) {
            const code =
              err instanceof UnopenedError
                ? err.code
                : err instanceof SyntaxError
                  ? 'malformed'
                  : 'unreadable';
            req.log.warn({ code }, 'a conversation did not open; left out of the list');
          }
          return null;
        });
      const all = await Promise.all(
        [...active, ...ended].map(async (id) =>
          (await app.lineAccess.mayReach(op, id)) ? opened(id) : null,
        ),
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
      const record = await store.get(id);
      // Recorded before anything is opened: past the account's look budget this refuses
      // (429) and nothing is shown; a repeat within the window is the entry already written.
      if (holder !== op.id) await app.audit.recordLook('read', op.id, id);
      const [messages, notes] = await Promise.all([
        store.messages(id, { forOperator: true }),
        store.notes(id),
      ]);
      return { conversation: store.toConversation(record), messages, notes };
    });
  },
  {
    name: 'conversation-routes',
    dependencies: ['auth', 'conversation-store', 'routing', 'audit', 'lines'],
  },
);
