import { AppError, errorBody } from '@stille-lijn/shared/errors';
import type { FastifyInstance } from 'fastify';
import {
  hasZodFastifySchemaValidationErrors,
  ResponseSerializationError,
  serializerCompiler,
  validatorCompiler,
} from 'fastify-type-provider-zod';
import { validationFields } from './parse.ts';

/**
 * The REST contract on a Fastify instance: every `/api` route declares its schemas from
 * `@stille-lijn/shared/rest`, requests are parsed with them and answers serialised through
 * them (`fastify-type-provider-zod`, so handlers are typed by the same schemas). Errors
 * answer `{ error: { code, message, reason? }, fields? }` with the catalogue's status.
 * @example useRestContract(app); app.withTypeProvider<ZodTypeProvider>().get(path, { schema }, handler)
 */
export function useRestContract(app: FastifyInstance): void {
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  app.setErrorHandler((err, req, reply) => {
    if (hasZodFastifySchemaValidationErrors(err)) {
      return reply
        .status(400)
        .send({ error: errorBody('invalid_payload'), fields: validationFields(err.validation) });
    }
    if (err instanceof AppError) {
      const body: Record<string, unknown> = { error: err.toBody() };
      if (err.extra.retryAfterSeconds !== undefined)
        reply.header('retry-after', String(err.extra.retryAfterSeconds));
      if (err.details !== undefined) body.fields = err.details;
      return reply.status(err.status).send(body);
    }
    const e = err as { statusCode?: number; code?: string };
    if (e.statusCode === 413 || e.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      return reply.status(413).send({ error: errorBody('too_large') });
    }
    if (e.statusCode && e.statusCode >= 400 && e.statusCode < 500) {
      return reply.status(400).send({ error: errorBody('invalid_payload') });
    }
    if (err instanceof ResponseSerializationError) {
      // An answer that does not match its schema is a bug of ours: logged (paths and
      // codes only, never a value), never sent.
      const issues = err.cause.issues.map((i) => `${i.path.join('.')}:${i.code}`);
      req.log.error({ route: req.routeOptions.url, issues }, 'answer does not match its schema');
    } else {
      req.log.error({ err }, 'request failed');
    }
    return reply.status(500).send({ error: errorBody('internal') });
  });
}
