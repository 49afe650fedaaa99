import { AppError } from '@stille-lijn/shared';
import {
  type CannedResponse,
  cannedResponseSchema,
  defaultCannedResponses,
} from '@stille-lijn/shared/domain/canned';
import { cannedBodySchema, cannedListResponseSchema, cannedParamsSchema } from '@stille-lijn/shared/rest';
import fp from 'fastify-plugin';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { currentOperator } from '../auth/plugin.ts';

/** Canned responses: every operator reads them (`GET /api/canned`), supervisors manage them. */
export default fp(
  async (app) => {
    const key = app.keys.canned;
    const load = async (): Promise<CannedResponse[]> => {
      const all = await app.redis.hgetall(key);
      if (Object.keys(all).length === 0) {
        // First use: seed the defaults (HSETNX, so two instances cannot double-seed).
        const tx = app.redis.multi();
        for (const c of defaultCannedResponses) tx.hsetnx(key, `${c.id}:${c.language}`, JSON.stringify(c));
        await tx.exec();
        return [...defaultCannedResponses];
      }
      return Object.values(all)
        .map((v) => cannedResponseSchema.parse(JSON.parse(v)))
        .sort((a, b) => a.id.localeCompare(b.id) || a.language.localeCompare(b.language));
    };
    const routes = app.withTypeProvider<ZodTypeProvider>();
    const supervisors = app.requireRole('supervisor', 'admin');
    const response = { 200: cannedListResponseSchema };
    routes.get('/api/canned', { schema: { response }, preValidation: app.requireOperator }, async () => ({
      canned: await load(),
    }));
    routes.put(
      '/api/canned',
      { schema: { body: cannedBodySchema, response }, preValidation: supervisors },
      async (req) => {
        const item = req.body;
        await load();
        await app.redis.hset(key, `${item.id}:${item.language}`, JSON.stringify(item));
        await app.audit.record('canned-save', currentOperator(req).id, `${item.id}:${item.language}`);
        return { canned: await load() };
      },
    );
    routes.delete(
      '/api/canned/:id/:language',
      { schema: { params: cannedParamsSchema, response }, preValidation: supervisors },
      async (req) => {
        const p = req.params;
        await load();
        if ((await app.redis.hdel(key, `${p.id}:${p.language}`)) === 0) throw new AppError('not_found');
        await app.audit.record('canned-delete', currentOperator(req).id, `${p.id}:${p.language}`);
        return { canned: await load() };
      },
    );
  },
  { name: 'canned', dependencies: ['auth', 'audit'] },
);
