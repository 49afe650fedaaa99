import { AppError, idSchema, languageSchema, operatorRoleSchema, refusal } from '@stille-lijn/shared';
import type { FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { z } from 'zod';
import { generatePassword } from '../auth/password.ts';
import { currentOperator } from '../auth/plugin.ts';
import type { OperatorAccount } from '../auth/types.ts';
import { parseOrThrow as parse } from '../http/parse.ts';

const idParams = z.object({ id: idSchema });

const publicAccount = (a: OperatorAccount) => ({
  id: a.id,
  username: a.username,
  displayName: a.displayName,
  role: a.role,
  languages: a.languages,
  disabled: a.disabled,
  totpEnabled: a.totpEnabled,
  createdAt: a.createdAt,
  ...(a.capacity ? { capacity: a.capacity } : {}),
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
    /** Version 2: active conversations at once (1–100). */
    capacity: z.number().int().min(1).max(100),
  })
  .partial()
  .refine((v) => Object.keys(v).length > 0, 'nothing to change');

/** `/api/admin/operators…`: accounts for admins, with the same rules as `npm run operator`. */
export default fp(
  async (app) => {
    const me = (req: FastifyRequest) => currentOperator(req);
    const audit = app.audit;
    const admin = { preHandler: app.requireRole('admin') };
    app.get('/api/admin/operators', admin, async () => ({
      operators: (await app.operators.list()).map(publicAccount),
    }));
    app.post('/api/admin/operators', admin, async (req, reply) => {
      const body = parse(newOperatorSchema, req.body);
      const password = generatePassword();
      const account = await app.operators.create({ ...body, password });
      await audit.record('operator-add', me(req).id, account.id);
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
        await audit.record('operator-update', actor, id);
      }
      // Role and languages change in one step; live sockets follow before this answers.
      const accessRev = await app.operators.setAccess(id, {
        ...(body.role ? { role: body.role } : {}),
        ...(body.languages ? { languages: body.languages } : {}),
        ...(body.capacity ? { capacity: body.capacity } : {}),
      });
      if (accessRev > 0) await app.operatorSockets.accessChanged(id, accessRev);
      const after = (await app.operators.get(id))!;
      // The new role is part of the action: an audit of who made whom a supervisor.
      if (after.role !== before.role) await audit.record(`operator-role:${after.role}`, actor, id);
      if (after.languages.join(',') !== before.languages.join(',')) {
        await audit.record('operator-languages', actor, id);
      }
      if (after.capacity !== before.capacity) await audit.record('operator-capacity', actor, id);
      return { operator: publicAccount(after) };
    });
    app.post('/api/admin/operators/:id/disable', admin, async (req) => {
      const { id } = parse(idParams, req.params);
      if (id === me(req).id) throw refusal('own_account');
      if (!(await app.operators.get(id))) throw new AppError('not_found');
      await app.operators.disable(id);
      await audit.record('operator-disable', me(req).id, id);
      return { operator: publicAccount((await app.operators.get(id))!) };
    });
    app.post('/api/admin/operators/:id/enable', admin, async (req) => {
      const { id } = parse(idParams, req.params);
      if (!(await app.operators.get(id))) throw new AppError('not_found');
      await app.operators.enable(id);
      await audit.record('operator-enable', me(req).id, id);
      return { operator: publicAccount((await app.operators.get(id))!) };
    });
    app.post('/api/admin/operators/:id/reset-password', admin, async (req) => {
      const { id } = parse(idParams, req.params);
      if (!(await app.operators.get(id))) throw new AppError('not_found');
      const password = generatePassword();
      await app.operators.resetPassword(id, password);
      await audit.record('operator-reset-password', me(req).id, id);
      return { password };
    });
  },
  { name: 'admin-routes', dependencies: ['auth', 'audit', 'sockets'] },
);
