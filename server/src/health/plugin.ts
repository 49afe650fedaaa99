import fp from 'fastify-plugin';

async function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('timeout')), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Probes: `/healthz` while the process runs; `/readyz` only while Redis and the queues answer. */
export default fp(
  async (app) => {
    app.get('/healthz', async (_req, reply) =>
      reply.header('cache-control', 'no-store').send({ status: 'ok' }),
    );
    app.get('/readyz', async (_req, reply) => {
      reply.header('cache-control', 'no-store');
      try {
        if (app.redis.status !== 'ready') throw new Error('redis not ready');
        await withTimeout(app.redis.ping(), 1000);
        const qc = await withTimeout(app.queues.conversations.client, 1000);
        await withTimeout((qc as unknown as { ping(): Promise<string> }).ping(), 1000);
        return reply.send({ status: 'ready' });
      } catch {
        return reply.status(503).send({ error: { code: 'unavailable', message: 'Not ready.' } });
      }
    });
  },
  { name: 'health', dependencies: ['redis', 'queues'] },
);
