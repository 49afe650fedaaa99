import { staffLinesResponseSchema } from '@stille-lijn/shared/rest';
import fp from 'fastify-plugin';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { currentOperator } from '../auth/plugin.ts';
import { memberLines } from './access.ts';

/** `GET /api/lines`: the caller's lines (an admin's: all), ids and names only. */
export default fp(
  async (app) => {
    const routes = app.withTypeProvider<ZodTypeProvider>();
    const schema = { response: { 200: staffLinesResponseSchema } };
    routes.get('/api/lines', { schema, preValidation: app.requireOperator }, async (req) => {
      const mine = memberLines(app.lines, currentOperator(req));
      return { lines: app.lines.all.filter((l) => mine.has(l.id)).map((l) => ({ id: l.id, name: l.name })) };
    });
  },
  { name: 'line-routes', dependencies: ['auth', 'lines'] },
);
