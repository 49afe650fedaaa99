import fp from 'fastify-plugin';
import type { AuthService } from './types.ts';

declare module 'fastify' {
  interface FastifyInstance {
    auth: AuthService;
  }
}

// Placeholder until the auth feature lands: no session is ever valid.
export default fp(
  async (app) => {
    app.decorate('auth', {
      sessionFromCookieHeader: async () => null,
      isSessionLive: async () => false,
    } satisfies AuthService);
  },
  { name: 'auth', dependencies: ['redis', 'crypto'] },
);
