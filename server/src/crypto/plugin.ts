import fp from 'fastify-plugin';
import { DataCipher } from './cipher.ts';
import { resolveDataKeys } from './data-keys.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** Encryption at rest and keyed hashes. */
    cipher: DataCipher;
  }
}

export default fp(
  async (app) => {
    app.decorate('cipher', await DataCipher.create(await resolveDataKeys(app.config)));
  },
  { name: 'crypto', dependencies: ['config'] },
);
