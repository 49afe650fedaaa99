import { AppError, type OperatorRole } from '@stille-lijn/shared';
import {
  type CannedResponse,
  cannedResponseSchema,
  defaultCannedResponses,
} from '@stille-lijn/shared/domain/canned';
import {
  cannedBodySchema,
  cannedListResponseSchema,
  cannedParamsSchema,
  isUndeletableCanned,
} from '@stille-lijn/shared/rest';
import type { FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { currentOperator } from '../auth/plugin.ts';
import { coversEveryLine } from '../lines/access.ts';

/**
 * Bumped whenever the defaults gain responses or languages (2: all five visitor languages;
 * 3: the safety-critical ones undeletable). A list seeded by an older version gets what it
 * misses (HSETNX: an edited response is kept).
 */
const CANNED_SEED_VERSION = '3';

/**
 * The defaults a list seeded by `version` gets back. Version 2 had every default, so it only
 * gets back the safety-critical ones that could still be deleted then; a text deleted on
 * purpose stays deleted.
 */
const defaultsMissingSince = (version: string | null): readonly CannedResponse[] =>
  version === '2' ? defaultCannedResponses.filter((c) => isUndeletableCanned(c.id)) : defaultCannedResponses;

/**
 * Canned responses: every operator reads them (`GET /api/canned`); supervisors and admins
 * of every line manage them. The list is one for the whole deployment, the 112 script
 * included: a supervisor of one line may not change what every other line's operators send.
 */
export default fp(
  async (app) => {
    const key = app.keys.canned;
    const load = async (): Promise<CannedResponse[]> => {
      const seeded = await app.redis.get(app.keys.cannedSeed);
      if (seeded !== CANNED_SEED_VERSION) {
        // First use, or defaults newer than the list: add what is missing (HSETNX, so two
        // instances cannot double-seed, and a supervisor's edit stays).
        const tx = app.redis.multi();
        for (const c of defaultsMissingSince(seeded))
          tx.hsetnx(key, `${c.id}:${c.language}`, JSON.stringify(c));
        tx.set(app.keys.cannedSeed, CANNED_SEED_VERSION);
        await tx.exec();
      }
      const all = await app.redis.hgetall(key);
      return Object.values(all)
        .map((v) => cannedResponseSchema.parse(JSON.parse(v)))
        .sort((a, b) => a.id.localeCompare(b.id) || a.language.localeCompare(b.language));
    };
    const routes = app.withTypeProvider<ZodTypeProvider>();
    const editorRoles: OperatorRole[] = ['supervisor', 'admin'];
    const supervisors = app.requireRole(...editorRoles);
    /** Refuses a supervisor of some lines only (`forbidden`), before anything is read or written. */
    const ofEveryLine = async (req: FastifyRequest) => {
      if (!coversEveryLine(app.lines, currentOperator(req)))
        throw new AppError(
          'forbidden',
          'Canned responses are shared by every line: only a supervisor of every line or an admin changes them.',
        );
    };
    const editors = [supervisors, ofEveryLine];
    const response = { 200: cannedListResponseSchema };
    /** What the console needs to offer the editor only to those the routes below let through. */
    const mayEdit = (req: FastifyRequest) => {
      const account = currentOperator(req);
      return editorRoles.includes(account.role) && coversEveryLine(app.lines, account);
    };
    routes.get('/api/canned', { schema: { response }, preValidation: app.requireOperator }, async (req) => ({
      canned: await load(),
      editable: mayEdit(req),
    }));
    routes.put(
      '/api/canned',
      { schema: { body: cannedBodySchema, response }, preValidation: editors },
      async (req) => {
        const item = req.body;
        await load();
        await app.redis.hset(key, `${item.id}:${item.language}`, JSON.stringify(item));
        await app.audit.record('canned-save', currentOperator(req).id, `${item.id}:${item.language}`);
        return { canned: await load(), editable: true };
      },
    );
    routes.delete(
      '/api/canned/:id/:language',
      { schema: { params: cannedParamsSchema, response }, preValidation: editors },
      async (req) => {
        const p = req.params;
        // The console's safety-check and acute-danger buttons insert these: one deletion
        // would take them from every operator of every line. The state of the list, not the
        // caller, refuses it, so `conflict` (as an admin disabling their own account).
        if (isUndeletableCanned(p.id))
          throw new AppError(
            'conflict',
            'The safety check and the 112 script can be edited but not deleted.',
          );
        await load();
        if ((await app.redis.hdel(key, `${p.id}:${p.language}`)) === 0) throw new AppError('not_found');
        await app.audit.record('canned-delete', currentOperator(req).id, `${p.id}:${p.language}`);
        return { canned: await load(), editable: true };
      },
    );
  },
  { name: 'canned', dependencies: ['auth', 'audit'] },
);
