import fastifyCookie from '@fastify/cookie';
import type { OperatorRole } from '@stille-lijn/shared';
import { AppError, refusal } from '@stille-lijn/shared/errors';
import {
  emptyResponseSchema,
  loginBodySchema,
  loginResponseSchema,
  meResponseSchema,
  passwordChangeBodySchema,
} from '@stille-lijn/shared/rest';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { addressBucket } from '../http/client-address.ts';
import { type OperatorAuthState, OperatorStore } from '../operators/store.ts';
import { InFlightLimit } from './in-flight.ts';
import { assertAllowedOrigin, isSafeMethod } from './origin.ts';
import { inPasswordLane, type PasswordHasher } from './password.ts';
import { newSessionToken, SessionStore, sessionCookieName, sessionIdForToken } from './sessions.ts';
import { type LoginLimits, LoginThrottle } from './throttle.ts';
import { TotpLock } from './totp-lock.ts';
import type { OperatorAccount, OperatorAuthService } from './types.ts';

/** A preHandler that lets only signed-in operators through and sets `request.operator`. */
export type OperatorPreHandler = (request: FastifyRequest, reply: FastifyReply) => Promise<void>;

declare module 'fastify' {
  interface FastifyInstance {
    /** Sessions, as the Socket.IO `/operator` handshake and other plugins need them. */
    auth: OperatorAuthService;
    /** Operator accounts. */
    operators: OperatorStore;
    /**
     * preHandler: 401 without a live session, 403 for a foreign `Origin` on a
     * state-changing method; sets `request.operator` and `Cache-Control: no-store`.
     * @example app.get('/api/x', { preHandler: app.requireOperator }, handler)
     */
    requireOperator: OperatorPreHandler;
    /**
     * preHandler: as `requireOperator`, and 403 unless the operator has one of `roles`.
     * @example app.get('/api/stats', { preHandler: app.requireRole('supervisor', 'admin') }, handler)
     */
    requireRole: (...roles: OperatorRole[]) => OperatorPreHandler;
  }
  interface FastifyRequest {
    /** The signed-in operator, set by `requireOperator` / `requireRole`; null elsewhere. */
    operator: OperatorAccount | null;
    /** The session id behind `operator`. */
    operatorSessionId: string | null;
  }
}

/** Writes to the audit stream (`app.conversations.audit`): who did what, never content. */
export type AuditWriter = (action: string, actorId: string, target: string) => Promise<void>;

export interface AuthPluginOptions {
  /** Shared Argon2id worker. @default one owned (and closed) by the plugin */
  hasher?: PasswordHasher;
  /** Clock for session ages, TOTP and login throttling. @default Date.now */
  now?: () => number;
  /**
   * Where sign-ins, sign-outs, failed sign-ins of known accounts (a wrong current password
   * of `POST /api/auth/password` included), password changes and TOTP locks are audited
   * (`login`, `logout`, `login-failed`, `password-change`, `totp-locked`, each with the
   * operator id as actor).
   * @default none (the server passes `app.conversations.audit`)
   */
  audit?: AuditWriter;
  /**
   * Told once when wrong TOTP codes lock an account's TOTP step (`TOTP_FAILURE_LIMIT`), after
   * the `totp-locked` audit entry. Throws nothing the sign-in should answer differently for.
   * @default a `supervisor:alert` `totp-locked` to the supervisors of the account's lines and
   *   the admins, through `app.supervision` (registered after this plugin, so looked up then)
   */
  onTotpLocked?: (account: OperatorAccount) => void;
  /** Login throttling limits. @default DEFAULT_LOGIN_LIMITS */
  loginLimits?: Partial<LoginLimits>;
}

/**
 * Password checks (Argon2id, in the hashing worker) one address may have running at
 * once; more are answered 429 before any hashing, so one address cannot fill the worker's
 * queue for everyone. Counted per `addressBucket()` in this process.
 * @default 2
 */
export const LOGIN_CHECKS_PER_ADDRESS = 2;

/** One message for every wrong credential, so a failure tells nothing about the account. */
export const LOGIN_FAILED_MESSAGE = 'The username, password or code is not correct.';

/** The operator behind a request that passed `requireOperator`; throws `unauthorized` otherwise. */
export function currentOperator(request: FastifyRequest): OperatorAccount {
  if (!request.operator) throw new AppError('unauthorized');
  return request.operator;
}

/** `{ passwordChangeDue: true }` while the account's password is one-time, else nothing. */
function passwordChangeDue(account: OperatorAccount): { passwordChangeDue?: true } {
  return account.oneTimePassword ? { passwordChangeDue: true } : {};
}

function ownOrigin(request: FastifyRequest): string {
  return `${request.protocol}://${request.host}`;
}

async function authPlugin(app: FastifyInstance, opts: AuthPluginOptions): Promise<void> {
  const now = opts.now ?? Date.now;
  // Another plugin may have registered it already; a second registration would throw.
  if (!app.hasDecorator('serializeCookie')) await app.register(fastifyCookie);

  const cookieOptions = {
    path: '/',
    httpOnly: true,
    sameSite: 'strict',
    secure: app.config.isProduction,
  } as const;
  const cookieName = sessionCookieName(cookieOptions.secure);
  /** The session token the request's cookies carry, under this deployment's cookie name only. */
  const sessionToken = (cookieHeader: string | undefined): string | undefined =>
    cookieHeader ? fastifyCookie.parse(cookieHeader)[cookieName] : undefined;

  const operators = new OperatorStore({
    redis: app.redis,
    prefix: app.config.redisPrefix,
    cipher: app.cipher,
    oneTimePasswordMs: app.config.oneTimePasswordMs,
    now,
    ...(opts.hasher ? { hasher: opts.hasher } : {}),
  });
  const sessions = new SessionStore({
    redis: app.redis,
    operators,
    idleMs: app.config.sessionIdleMs,
    maxAgeMs: app.config.sessionMaxMs,
    now,
  });
  const throttle = new LoginThrottle({
    redis: app.redis,
    keys: operators.keys,
    cipher: app.cipher,
    now,
    ...(opts.loginLimits ? { limits: opts.loginLimits } : {}),
  });
  const totpLock = new TotpLock({ redis: app.redis, keys: operators.keys });
  const checking = new InFlightLimit(LOGIN_CHECKS_PER_ADDRESS);
  const audit: AuditWriter = opts.audit ?? (async () => {});
  const onTotpLocked =
    opts.onTotpLocked ??
    ((account: OperatorAccount) => {
      // Alerts follow lines (PROTOCOL.md, "Lines"), as a `debrief-request` does.
      if (!app.hasDecorator('supervision')) return;
      app.supervision.alert(
        {
          kind: 'totp-locked',
          operatorId: account.id,
          operatorName: account.displayName,
          at: new Date(now()).toISOString(),
        },
        app.lines.accountLines(account.lines),
      );
    });

  /**
   * The wrong code that reached `TOTP_FAILURE_LIMIT`: one warning, one audit entry and one
   * alert. Neither a failed audit write nor a failed alert may change the answer, which stays
   * the ordinary sign-in failure.
   */
  const totpLocked = async (request: FastifyRequest, account: OperatorAccount) => {
    request.log.warn(
      { operatorId: account.id },
      'TOTP locked: too many wrong codes after the right password',
    );
    await audit('totp-locked', account.id, '').catch((err: Error & { code?: string }) => {
      request.log.error(
        { operatorId: account.id, code: err.code ?? err.name },
        'audit of a TOTP lock failed',
      );
    });
    try {
      onTotpLocked(account);
    } catch (err) {
      const e = err as Error & { code?: string };
      request.log.error({ operatorId: account.id, code: e.code ?? e.name }, 'alert of a TOTP lock failed');
    }
  };

  /**
   * Runs a password check of `username` from the request's address within the sign-in
   * limits: at most LOGIN_CHECKS_PER_ADDRESS at once per address, then the login throttle
   * (429 with Retry-After while it holds). The attempt stays counted unless `right` says
   * the password was right. Where `username` signed in from this address before (the
   * throttle's `known`), the check runs in the hasher's priority lane, so a script that
   * fills the normal lane from many addresses does not keep that operator out.
   */
  const throttled = async <T>(
    request: FastifyRequest,
    reply: FastifyReply,
    username: string,
    check: () => Promise<T>,
    right: (result: T) => boolean,
  ): Promise<T> => {
    const bucket = addressBucket(request.ip);
    const release = checking.enter(bucket);
    if (!release) {
      request.log.info('login refused: password checks already running for this address');
      reply.header('retry-after', '1');
      throw new AppError('rate_limited');
    }
    try {
      const attempt = throttle.attempt(username, bucket);
      const { waitMs, known } = await throttle.begin(attempt);
      if (waitMs > 0) {
        request.log.info('login throttled');
        reply.header('retry-after', String(Math.ceil(waitMs / 1000)));
        throw new AppError('rate_limited');
      }
      // Only a real sign-in makes a pair known, so the lane says nothing about whether an
      // unknown username exists: those all take the normal lane, with the dummy check.
      const result = await inPasswordLane(known ? 'priority' : 'normal', check);
      if (right(result)) await throttle.succeeded(attempt);
      return result;
    } finally {
      release();
    }
  };

  const auth: OperatorAuthService = {
    async sessionFromCookieHeader(cookieHeader) {
      const token = sessionToken(cookieHeader);
      return token ? sessions.fromToken(token, { touch: true }) : null;
    },
    async isSessionLive(sessionId) {
      return (await sessions.check(sessionId, { touch: false })) !== null;
    },
    async touchSession(sessionId) {
      return (await sessions.check(sessionId, { touch: true })) !== null;
    },
    async revokeSession(sessionId) {
      await sessions.revoke(sessionId);
    },
    liveSession(sessionId, opts = { touch: false }) {
      return sessions.check(sessionId, opts);
    },
  };

  const checkOrigin = (request: FastifyRequest) => {
    if (!isSafeMethod(request.method)) {
      assertAllowedOrigin(request.headers.origin, app.config.publicOrigin, ownOrigin(request));
    }
  };

  const requireOperator: OperatorPreHandler = async (request, reply) => {
    reply.header('cache-control', 'no-store');
    checkOrigin(request);
    const session = await auth.sessionFromCookieHeader(request.headers.cookie);
    if (!session) throw new AppError('unauthorized');
    request.operator = session.operator;
    request.operatorSessionId = session.sessionId;
  };

  const requireRole =
    (...roles: OperatorRole[]): OperatorPreHandler =>
    async (request, reply) => {
      await requireOperator(request, reply);
      if (!roles.includes(currentOperator(request).role)) throw refusal('role_required');
    };

  app.decorate('operators', operators);
  app.decorate('auth', auth);
  app.decorate('requireOperator', requireOperator);
  app.decorate('requireRole', requireRole);
  app.decorateRequest('operator', null);
  app.decorateRequest('operatorSessionId', null);
  app.addHook('onClose', async () => {
    await operators.close();
  });

  const setSessionCookie = (reply: FastifyReply, token: string) =>
    reply.setCookie(cookieName, token, cookieOptions);

  /**
   * Ends the session of `token`, if it lives: its live sockets are cut on every instance,
   * then it is audited (a failed audit write does not keep the sockets up).
   */
  const endSession = async (request: FastifyRequest, token: string, what: string) => {
    const operatorId = await sessions.revokeToken(token);
    if (!operatorId) return;
    request.log.info({ operatorId }, what);
    await app.redis.publish(app.key('events', 'session-revoked'), sessionIdForToken(token));
    await audit('logout', operatorId, '');
  };

  await app.register(async (plain) => {
    const routes = plain.withTypeProvider<ZodTypeProvider>();
    routes.addHook('onRequest', async (_request, reply) => {
      reply.header('cache-control', 'no-store');
    });

    // The origin is checked before the body is validated: a foreign page learns nothing.
    const login = {
      schema: { body: loginBodySchema, response: { 200: loginResponseSchema } },
      preValidation: async (request: FastifyRequest) => checkOrigin(request),
    };
    routes.post('/api/auth/login', login, async (request, reply) => {
      const { username, password, totp } = request.body;
      const check = async (): Promise<OperatorAuthState | null> => {
        // An expired one-time password fails here, as a wrong one does.
        const { state, operatorId } = await operators.checkCredentials(username, password);
        let ok = state !== null && !state.account.disabled;
        if (ok && state) {
          const account = state.account;
          if (account.totpEnabled) {
            // Only a code given after the right password counts towards the lock; a missing
            // one guesses nothing. A locked account's answer is the ordinary failure.
            const outcome =
              totp === undefined
                ? 'refused'
                : await totpLock.check(account.id, () => operators.verifyTotp(account.id, totp, now()));
            ok = outcome === 'accepted';
            if (outcome === 'locked')
              request.log.info({ operatorId: account.id }, 'login refused: TOTP locked');
            if (outcome === 'lock-engaged') await totpLocked(request, account);
          } else if (app.config.isProduction && account.role !== 'operator') {
            // DESIGN.md: TOTP is required for supervisors and admins in production.
            request.log.warn({ operatorId: account.id }, 'login refused: TOTP not set up');
            ok = false;
          }
        }
        if (ok && state) return state;
        request.log.info({ operatorId: operatorId ?? undefined }, 'login failed');
        if (operatorId) await audit('login-failed', operatorId, '');
        return null;
      };
      const state = await throttled(request, reply, username, check, (s) => s !== null);
      if (!state) throw new AppError('unauthorized', LOGIN_FAILED_MESSAGE);

      // The new cookie replaces the one this browser sent, so nothing here can use that
      // session again: it ends now (OWASP, session fixation), with its open consoles, and
      // before the new one begins, so that the audit reads "logout, login". A colleague
      // signing in at a locked console thus takes the first one's sockets off the line,
      // and their conversations go back through the disconnect grace.
      const previous = sessionToken(request.headers.cookie);
      if (previous) {
        // The sign-in goes on either way; that session then ends at its idle timeout.
        await endSession(request, previous, 'session ended by a new sign-in').catch(
          (err: Error & { code?: string }) => {
            request.log.error({ code: err.code ?? err.name }, 'ending the previous session failed');
          },
        );
      }
      const { token } = await sessions.create(state);
      setSessionCookie(reply, token);
      request.log.info({ operatorId: state.account.id }, 'login');
      await audit('login', state.account.id, '');
      // Exactly PROTOCOL.md's answer: the console reads `passwordChangeDue` from /me.
      const { id, displayName, role } = state.account;
      return { operator: { id, displayName, role } };
    });

    // The owner's own password: the current one is checked exactly as at sign-in (Argon2id,
    // the same throttle, the same 401); the origin is checked before the body is read.
    // The calling session is renewed under a new id (OWASP: after a credential change), so
    // whoever copied its cookie is signed out with the other sessions.
    const password = {
      schema: { body: passwordChangeBodySchema, response: { 200: emptyResponseSchema } },
      preValidation: requireOperator,
    };
    routes.post('/api/auth/password', password, async (request, reply) => {
      const account = currentOperator(request);
      const sessionId = request.operatorSessionId ?? '';
      const renewed = newSessionToken();
      const { currentPassword, newPassword } = request.body;
      const change = { currentPassword, newPassword, sessionId, renewedId: renewed.sessionId };
      const done = await throttled(
        request,
        reply,
        account.username,
        () => operators.changePassword(account.id, change),
        (r) => r.ok || r.reason !== 'wrong-password',
      );
      if (!done.ok) {
        if (done.reason === 'wrong-password') {
          request.log.info({ operatorId: account.id }, 'password change refused: wrong password');
          await audit('login-failed', account.id, '');
          throw new AppError('unauthorized', LOGIN_FAILED_MESSAGE);
        }
        if (done.reason === 'changed-meanwhile') throw new AppError('conflict');
        throw new AppError('unauthorized');
      }
      setSessionCookie(reply, renewed.token);
      request.log.info({ operatorId: account.id, sessionsEnded: done.sessionsEnded }, 'password changed');
      // The change is made and the old cookie is dead: a failed audit write must not turn
      // the answer into an error (the console would sign out with a live new cookie).
      await audit('password-change', account.id, '').catch((err: Error & { code?: string }) => {
        request.log.error(
          { operatorId: account.id, code: err.code ?? err.name },
          'audit of a password change failed',
        );
      });
      return {};
    });

    routes.post(
      '/api/auth/logout',
      { schema: { response: { 200: emptyResponseSchema } } },
      async (request, reply) => {
        checkOrigin(request);
        const token = sessionToken(request.headers.cookie);
        if (token) await endSession(request, token, 'logout');
        reply.clearCookie(cookieName, cookieOptions);
        return {};
      },
    );

    const me = { schema: { response: { 200: meResponseSchema } }, preValidation: requireOperator };
    routes.get('/api/auth/me', me, async (request) => {
      const account = currentOperator(request);
      const { id, displayName, role, languages, totpEnabled } = account;
      // Resolved: `['*']` for admins and accounts of every line, else the ids it belongs to.
      const lines =
        role === 'admin' || account.lines?.includes('*') ? ['*'] : [...app.lines.accountLines(account.lines)];
      return {
        operator: { id, displayName, role, languages, totpEnabled, lines, ...passwordChangeDue(account) },
        // The console locks its screen after as long without input (the socket keeps the session).
        sessionIdleMinutes: app.config.sessionIdleMs / 60_000,
      };
    });
  });
}

/**
 * Operator accounts, sessions and the `/api/auth/*` routes. Decorates `app.auth`,
 * `app.operators`, `app.requireOperator` and `app.requireRole`.
 */
export default fp(authPlugin, { name: 'auth', dependencies: ['redis', 'crypto', 'lines'] });
