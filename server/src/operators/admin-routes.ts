import { AppError, refusal } from '@stille-lijn/shared';
import {
  type Account,
  accountChangeBodySchema,
  accountCreatedResponseSchema,
  accountResponseSchema,
  accountsResponseSchema,
  idParamsSchema,
  newAccountBodySchema,
  passwordResponseSchema,
} from '@stille-lijn/shared/rest';
import type { FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { generatePassword } from '../auth/password.ts';
import { currentOperator } from '../auth/plugin.ts';
import type { OperatorAccount } from '../auth/types.ts';
import type { LineRegistry } from '../lines/registry.ts';
import { requeueUnreachable } from '../lines/requeue.ts';

/**
 * `invalid_payload` naming the ids that are not lines of this deployment (the ids come
 * from the admin's own request, checked against the line id pattern, so they are safe
 * to echo).
 */
function assertKnownLines(lines: LineRegistry, ids: readonly string[] | undefined): void {
  if (!ids) return;
  const unknown = lines.unknownIds(ids);
  if (unknown.length > 0) throw new AppError('invalid_payload', `Unknown lines: ${unknown.join(', ')}.`);
}

/**
 * An account as admins see it. `totpLocked` comes from `OperatorStore.totpLocked`: a lock
 * answers sign-ins with the ordinary 401, so this list is where an admin tells it from a
 * forgotten password.
 */
const publicAccount = (a: OperatorAccount, totpLocked: boolean): Account => ({
  id: a.id,
  username: a.username,
  displayName: a.displayName,
  role: a.role,
  languages: a.languages,
  disabled: a.disabled,
  totpEnabled: a.totpEnabled,
  totpLocked,
  createdAt: a.createdAt,
  ...(a.capacity ? { capacity: a.capacity } : {}),
  ...(a.lines ? { lines: a.lines } : {}),
});

/** `/api/admin/operators…`: accounts for admins, with the same rules as `npm run operator`. */
export default fp(
  async (app) => {
    const me = (req: FastifyRequest) => currentOperator(req);
    const audit = app.audit;
    const routes = app.withTypeProvider<ZodTypeProvider>();
    const preValidation = app.requireRole('admin');
    /** The accounts as admins see them, each with whether its TOTP step is locked. */
    const withLocks = async (accounts: OperatorAccount[]): Promise<Account[]> => {
      const locked = await app.operators.totpLocked(accounts.map((a) => a.id));
      return accounts.map((a) => publicAccount(a, locked.has(a.id)));
    };
    /** The account with this id as admins see it now (read after the change just made). */
    const current = async (id: string): Promise<Account> =>
      (await withLocks([(await app.operators.get(id))!]))[0]!;
    /**
     * The role is part of the action: an audit of who made whom a supervisor, whether by a
     * change of role or by an account created with one above `operator`.
     */
    const recordRole = (actor: string, id: string, role: OperatorAccount['role']) =>
      audit.record(`operator-role:${role}`, actor, id);
    const one = { params: idParamsSchema, response: { 200: accountResponseSchema } };
    routes.get(
      '/api/admin/operators',
      { schema: { response: { 200: accountsResponseSchema } }, preValidation },
      async () => ({ operators: await withLocks(await app.operators.list()) }),
    );
    const create = { body: newAccountBodySchema, response: { 201: accountCreatedResponseSchema } };
    routes.post('/api/admin/operators', { schema: create, preValidation }, async (req, reply) => {
      const body = req.body;
      assertKnownLines(app.lines, body.lines);
      const password = generatePassword();
      const account = await app.operators.create({ ...body, password, oneTime: true });
      await audit.record('operator-add', me(req).id, account.id);
      if (account.role !== 'operator') await recordRole(me(req).id, account.id, account.role);
      if (account.lines) await audit.record('operator-lines', me(req).id, account.id);
      // The one-time password is shown once, to the admin, and never stored in clear.
      // A new account has no TOTP yet, so nothing to lock.
      return reply.status(201).send({ operator: publicAccount(account, false), password });
    });
    const change = { ...one, body: accountChangeBodySchema };
    routes.patch('/api/admin/operators/:id', { schema: change, preValidation }, async (req) => {
      const { id } = req.params;
      const body = req.body;
      assertKnownLines(app.lines, body.lines);
      const before = await app.operators.get(id);
      if (!before) throw new AppError('not_found');
      const actor = me(req).id;
      if (body.displayName && body.displayName !== before.displayName) {
        await app.operators.setDisplayName(id, body.displayName);
        await audit.record('operator-update', actor, id);
      }
      // Role, languages and lines change in one step; live sockets follow before this
      // answers (they are cut and connect again with the new rights). A raised role ends
      // the account's sessions instead (it signs in again, with TOTP where the role needs
      // it): its sockets are cut with `session:ended` by the revocation notice, as for a
      // disabled account, and may not connect again with the old cookie.
      const { accessRev, sessionsEnded } = await app.operators.changeAccess(id, {
        ...(body.role ? { role: body.role } : {}),
        ...(body.languages ? { languages: body.languages } : {}),
        ...(body.capacity ? { capacity: body.capacity } : {}),
        ...(body.lines ? { lines: body.lines } : {}),
      });
      const after = (await app.operators.get(id))!;
      // Lines (or an admin's every line) lost: the held conversations there go back to
      // their queues before this answers.
      if (accessRev > 0) await requeueUnreachable(app, id, after);
      if (accessRev > 0 && !sessionsEnded) await app.operatorSockets.accessChanged(id, accessRev);
      if (after.role !== before.role) await recordRole(actor, id, after.role);
      if (after.languages.join(',') !== before.languages.join(',')) {
        await audit.record('operator-languages', actor, id);
      }
      if (after.capacity !== before.capacity) await audit.record('operator-capacity', actor, id);
      if (JSON.stringify(after.lines) !== JSON.stringify(before.lines)) {
        await audit.record('operator-lines', actor, id);
      }
      return { operator: (await withLocks([after]))[0]! };
    });
    routes.post('/api/admin/operators/:id/disable', { schema: one, preValidation }, async (req) => {
      const { id } = req.params;
      if (id === me(req).id) throw refusal('own_account');
      if (!(await app.operators.get(id))) throw new AppError('not_found');
      await app.operators.disable(id);
      await audit.record('operator-disable', me(req).id, id);
      return { operator: await current(id) };
    });
    routes.post('/api/admin/operators/:id/enable', { schema: one, preValidation }, async (req) => {
      const { id } = req.params;
      if (!(await app.operators.get(id))) throw new AppError('not_found');
      await app.operators.enable(id);
      await audit.record('operator-enable', me(req).id, id);
      return { operator: await current(id) };
    });
    const reset = { params: idParamsSchema, response: { 200: passwordResponseSchema } };
    routes.post('/api/admin/operators/:id/reset-password', { schema: reset, preValidation }, async (req) => {
      const { id } = req.params;
      if (!(await app.operators.get(id))) throw new AppError('not_found');
      const password = generatePassword();
      await app.operators.resetPassword(id, password);
      await audit.record('operator-reset-password', me(req).id, id);
      return { password };
    });
  },
  { name: 'admin-routes', dependencies: ['auth', 'audit', 'sockets', 'lines', 'routing'] },
);
