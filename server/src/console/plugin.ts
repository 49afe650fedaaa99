import {
  AppError,
  idSchema,
  languageSchema,
  type OperatorRole,
  operatorRoleSchema,
} from '@stille-lijn/shared';
import {
  type CannedResponse,
  cannedResponseSchema,
  defaultCannedResponses,
} from '@stille-lijn/shared/domain/canned';
import type { FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { z } from 'zod';
import { generatePassword } from '../auth/password.ts';
import { currentOperator } from '../auth/plugin.ts';
import type { OperatorAccount } from '../auth/types.ts';
import { parseOrThrow as parse } from '../http/parse.ts';

const idParams = z.object({
  id: z
    .string()
    .min(1)
    .max(128)
    .regex(/^[A-Za-z0-9_.:-]+$/),
});
const isSupervisor = (role: OperatorRole) => role === 'supervisor' || role === 'admin';

const publicAccount = (a: OperatorAccount) => ({
  id: a.id,
  username: a.username,
  displayName: a.displayName,
  role: a.role,
  languages: a.languages,
  disabled: a.disabled,
  totpEnabled: a.totpEnabled,
  createdAt: a.createdAt,
});

const newOperatorSchema = z.object({
  username: z.string().trim().min(2).max(64),
  displayName: z.string().trim().min(1).max(80),
  role: operatorRoleSchema.default('operator'),
  languages: z.array(languageSchema).min(1).default(['nl', 'en']),
});
const updateOperatorSchema = z
  .object({
    displayName: z.string().trim().min(1).max(80),
    role: operatorRoleSchema,
    languages: z.array(languageSchema).min(1),
  })
  .partial()
  .refine((v) => Object.keys(v).length > 0, 'nothing to change');

/**
 * REST for the console: reading conversations (own, or any for supervisors, audited),
 * the supervisor overview, operator accounts for admins, and canned responses.
 */
export default fp(
  async (app) => {
    const service = app.conversations;
    const me = (req: FastifyRequest) => currentOperator(req);
    const cannedKey = app.key('canned');

    // ---- conversations
    app.get('/api/conversations', { preHandler: app.requireOperator }, async (req) => ({
      conversations: await service.listForOperator(me(req).id),
    }));

    app.get('/api/conversations/:id', { preHandler: app.requireOperator }, async (req) => {
      const { id } = parse(idParams, req.params);
      const op = me(req);
      const holder = await service.lastOperatorOf(id);
      if (holder !== op.id && !isSupervisor(op.role)) throw new AppError('forbidden');
      const conversation = await service.conversation(id);
      if (holder !== op.id) await service.audit('read', op.id, id);
      const [messages, notes] = await Promise.all([
        service.messages(id, { forOperator: true }),
        service.notes(id),
      ]);
      return { conversation, messages, notes };
    });

    // Who a conversation can be handed to: the colleagues signed in now, by name.
    app.get('/api/colleagues', { preHandler: app.requireOperator }, async (req) => ({
      colleagues: await service.colleaguesOf(me(req).id),
    }));

    // ---- supervisor
    app.get('/api/supervisor/overview', { preHandler: app.requireRole('supervisor', 'admin') }, async (req) =>
      service.overview(me(req).id),
    );

    // ---- blocks: supervisors and admins list and lift them; only keyed hashes are kept
    const blockParams = z.object({ blockId: idSchema });
    app.get('/api/blocks', { preHandler: app.requireRole('supervisor', 'admin') }, async () => ({
      blocks: await service.listBlocks(),
    }));
    app.delete(
      '/api/blocks/:blockId',
      { preHandler: app.requireRole('supervisor', 'admin') },
      async (req) => {
        const { blockId } = parse(blockParams, req.params);
        await service.liftBlock(blockId, me(req).id);
        return { blocks: await service.listBlocks() };
      },
    );

    // ---- admin: the same rules as `npm run operator`
    const admin = { preHandler: app.requireRole('admin') };
    app.get('/api/admin/operators', admin, async () => ({
      operators: (await app.operators.list()).map(publicAccount),
    }));
    app.post('/api/admin/operators', admin, async (req, reply) => {
      const body = parse(newOperatorSchema, req.body);
      const password = generatePassword();
      const account = await app.operators.create({ ...body, password });
      await service.audit('operator-add', me(req).id, account.id);
      // The one-time password is shown once, to the admin, and never stored in clear.
      return reply.status(201).send({ operator: publicAccount(account), password });
    });
    app.patch('/api/admin/operators/:id', admin, async (req) => {
      const { id } = parse(idParams, req.params);
      const body = parse(updateOperatorSchema, req.body);
      const before = await app.operators.get(id);
      if (!before) throw new AppError('not_found');
      const actor = me(req).id;
      if (body.displayName && body.displayName !== before.displayName) {
        await app.operators.setDisplayName(id, body.displayName);
        await service.audit('operator-update', actor, id);
      }
      // Role and languages change in one step; live sockets follow before this answers.
      const accessRev = await app.operators.setAccess(id, {
        ...(body.role ? { role: body.role } : {}),
        ...(body.languages ? { languages: body.languages } : {}),
      });
      if (accessRev > 0) await app.operatorSockets.accessChanged(id, accessRev);
      const after = (await app.operators.get(id))!;
      // The new role is part of the action: an audit of who made whom a supervisor.
      if (after.role !== before.role) await service.audit(`operator-role:${after.role}`, actor, id);
      if (after.languages.join(',') !== before.languages.join(',')) {
        await service.audit('operator-languages', actor, id);
      }
      return { operator: publicAccount(after) };
    });
    app.post('/api/admin/operators/:id/disable', admin, async (req) => {
      const { id } = parse(idParams, req.params);
      if (id === me(req).id) throw new AppError('conflict', 'You cannot disable your own account.');
      if (!(await app.operators.get(id))) throw new AppError('not_found');
      await app.operators.disable(id);
      await service.audit('operator-disable', me(req).id, id);
      return { operator: publicAccount((await app.operators.get(id))!) };
    });
    app.post('/api/admin/operators/:id/enable', admin, async (req) => {
      const { id } = parse(idParams, req.params);
      if (!(await app.operators.get(id))) throw new AppError('not_found');
      await app.operators.enable(id);
      await service.audit('operator-enable', me(req).id, id);
      return { operator: publicAccount((await app.operators.get(id))!) };
    });
    app.post('/api/admin/operators/:id/reset-password', admin, async (req) => {
      const { id } = parse(idParams, req.params);
      if (!(await app.operators.get(id))) throw new AppError('not_found');
      const password = generatePassword();
      await app.operators.resetPassword(id, password);
      await service.audit('operator-reset-password', me(req).id, id);
      return { password };
    });

    // ---- canned responses: everyone reads, supervisors manage
    const loadCanned = async (): Promise<CannedResponse[]> => {
      const all = await app.redis.hgetall(cannedKey);
      if (Object.keys(all).length === 0) {
        // First use: seed the defaults (HSETNX, so two instances cannot double-seed).
        const tx = app.redis.multi();
        for (const c of defaultCannedResponses)
          tx.hsetnx(cannedKey, `${c.id}:${c.language}`, JSON.stringify(c));
        await tx.exec();
        return [...defaultCannedResponses];
      }
      return Object.values(all)
        .map((v) => JSON.parse(v) as CannedResponse)
        .sort((a, b) => a.id.localeCompare(b.id) || a.language.localeCompare(b.language));
    };
    app.get('/api/canned', { preHandler: app.requireOperator }, async () => ({ canned: await loadCanned() }));
    app.put('/api/canned', { preHandler: app.requireRole('supervisor', 'admin') }, async (req) => {
      const item = parse(cannedResponseSchema, req.body);
      await loadCanned();
      await app.redis.hset(cannedKey, `${item.id}:${item.language}`, JSON.stringify(item));
      await service.audit('canned-save', me(req).id, `${item.id}:${item.language}`);
      return { canned: await loadCanned() };
    });
    app.delete(
      '/api/canned/:id/:language',
      { preHandler: app.requireRole('supervisor', 'admin') },
      async (req) => {
        const p = parse(
          z.object({ id: cannedResponseSchema.shape.id, language: z.enum(['nl', 'en']) }),
          req.params,
        );
        await loadCanned();
        const removed = await app.redis.hdel(cannedKey, `${p.id}:${p.language}`);
        if (removed === 0) throw new AppError('not_found');
        await service.audit('canned-delete', me(req).id, `${p.id}:${p.language}`);
        return { canned: await loadCanned() };
      },
    );
  },
  { name: 'console-api', dependencies: ['auth', 'conversations', 'sockets'] },
);
