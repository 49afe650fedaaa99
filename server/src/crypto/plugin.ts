import fp from 'fastify-plugin';
import { DataCipher } from './cipher.ts';
import { resolveCipherKeys } from './data-keys.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** Encryption at rest and keyed hashes. */
    cipher: DataCipher;
  }
}

export default fp(
  async (app) => {
    app.decorate('cipher', await DataCipher.create(await resolveCipherKeys(app.config)));
  },
  { name: 'crypto', dependencies: ['config'] },
);
