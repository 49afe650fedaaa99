import type { Line, PublicLine } from '@stille-lijn/shared/domain/lines';
import { AppError } from '@stille-lijn/shared/errors';
import { lineParamsSchema, lineResponseSchema } from '@stille-lijn/shared/rest';
import type { FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { requestOrigin } from '../static/pages.ts';
import type { LineRegistry } from './registry.ts';

/** What the widget may know of a line: never its origins, its overflow or anything about staff. */
export function publicLine(lines: LineRegistry, line: Line, at: Date): PublicLine {
  return {
    id: line.id,
    name: line.name,
    languages: line.languages,
    hours: line.hours,
    open: lines.accepts(line.id, at),
  };
}

/**
 * Whether the page that sent `req` may embed the line: its `Origin` is this server's own or
 * one of the line's `embedOrigins`; undefined without an `Origin` (same-origin reads send none).
 */
export function embeddableFrom(req: FastifyRequest, embedOrigins: readonly string[]): boolean | undefined {
  const origin = req.headers.origin;
  if (typeof origin !== 'string') return undefined;
  return origin === requestOrigin(req) || embedOrigins.includes(origin);
}

/**
 * The widget's public read of one line, `GET /api/lines/:id`: its name, languages, hours and
 * whether it takes conversations now. The loader reads it from the host page, so this route
 * alone answers any origin (CORS without credentials).
 */
export default fp(
  async (app) => {
    const routes = app.withTypeProvider<ZodTypeProvider>();
    routes.get(
      '/api/lines/:id',
      {
        schema: { params: lineParamsSchema, response: { 200: lineResponseSchema } },
        // Before validation, so that a refusal is readable by the loader too.
        onRequest: (_req, reply, done) => {
          reply
            .header('access-control-allow-origin', '*')
            .header('vary', 'origin')
            .header('cache-control', 'no-store');
          done();
        },
      },
      async (req) => {
        const line = app.lines.get(req.params.id);
        if (!line) throw new AppError('not_found');
        const embeddable = embeddableFrom(req, line.embedOrigins);
        return {
          line: publicLine(app.lines, line, new Date()),
          ...(embeddable === undefined ? {} : { embeddable }),
        };
      },
    );
  },
  { name: 'lines-public', dependencies: ['config', 'lines'] },
);
