import fp from 'fastify-plugin';

// Placeholder pages until the widget and console land.
export default fp(
  async (app) => {
    const page = (title: string) =>
      `<!doctype html><html lang="nl"><head><meta charset="utf-8"><title>${title}</title></head><body><p>${title}: nog niet beschikbaar.</p></body></html>`;
    app.get('/chat', async (_req, reply) =>
      reply.header('cache-control', 'no-store').type('text/html').send(page('Chat')),
    );
    app.get('/console/', async (_req, reply) =>
      reply.header('cache-control', 'no-store').type('text/html').send(page('Console')),
    );
  },
  { name: 'static', dependencies: ['config'] },
);
