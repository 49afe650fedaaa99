import { randomUUID } from 'node:crypto';
import {
  type Language,
  languageSchema,
  type OperatorRole,
  operatorRoleSchema,
  languages as supportedLanguages,
} from '@stille-lijn/shared';
import { AppError, refusal } from '@stille-lijn/shared/errors';
import { accountLinesSchema } from '@stille-lijn/shared/rest';
import type { Redis } from 'ioredis';
import { assertPasswordAcceptable, PasswordHasher } from '../auth/password.ts';
import { matchTotp, TOTP_PERIOD_S, TOTP_WINDOW } from '../auth/totp.ts';
import { TOTP_FAILURE_LIMIT, TOTP_FAILURES_FIELD } from '../auth/totp-lock.ts';
import type { OperatorAccount } from '../auth/types.ts';
import { type DataCipher, sealedKeyId, UnopenedError } from '../crypto/cipher.ts';
import { redisKeys } from '../redis/keys.ts';
import { prepareScripts, runScript } from '../redis/scripts.ts';
import { type OperatorKeys, operatorKeys } from './keys.ts';
import {
  changePasswordScript,
  createAccountScript,
  endSessionsScript,
  replaceFieldScript,
  totpReplayScript,
  updateAccessScript,
  updateAccountScript,
} from './scripts.ts';

/** Languages a new operator answers in unless told otherwise. */
export const DEFAULT_OPERATOR_LANGUAGES: readonly Language[] = ['nl', 'en'];

/** How long a one-time password works (`ONE_TIME_PASSWORD_HOURS`). @default 72 hours */
export const ONE_TIME_PASSWORD_MS = 72 * 3_600_000;

/** 2 to 64 characters: letters, digits, `.`, `_`, `-`; starts with a letter or digit. */
const USERNAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{1,63}$/;
const MAX_DISPLAY_NAME = 80;

export interface OperatorStoreOptions {
  /** A command connection (not one in subscriber mode). */
  redis: Redis;
  /** The `REDIS_PREFIX`; keys are `<prefix>:operator:<id>` and so on. */
  prefix: string;
  cipher: DataCipher;
  /** @default a new PasswordHasher, closed by `close()` */
  hasher?: PasswordHasher;
  /**
   * How long a one-time password is a credential after it was set; later it fails
   * `checkCredentials` like a wrong one. @default ONE_TIME_PASSWORD_MS (the server passes
   * `ONE_TIME_PASSWORD_HOURS`)
   */
  oneTimePasswordMs?: number;
  /** Clock for when a password was set and for its expiry. @default Date.now */
  now?: () => number;
}

export interface CreateOperatorInput {
  /** Unique, case-insensitive. */
  username: string;
  password: string;
  /** @default 'operator' */
  role?: OperatorRole;
  /** @default the username */
  displayName?: string;
  /** Validated against the shared `languages`. @default ['nl', 'en'] */
  languages?: readonly string[];
  /** Version 2 (lines): its lines, `['*']` for all; stored as JSON. @default the first line */
  lines?: readonly string[] | undefined;
  /**
   * The password is one-time: someone other than its owner chose or generated it (the admin
   * API, `npm run operator`, the demo). It expires after `oneTimePasswordMs` unless the owner
   * replaces it (`changePassword`). @default false
   */
  oneTime?: boolean;
}

/** What `changePassword` did. */
export type PasswordChangeResult =
  | {
      ok: true;
      /** The other sessions of the account that were ended. */
      sessionsEnded: number;
    }
  /**
   * `wrong-password`: the current password is wrong (or an expired one-time password);
   * `session-ended`: the calling session is no longer live (revoked, or the account disabled);
   * `changed-meanwhile`: the password was replaced after it was checked.
   */
  | { ok: false; reason: 'wrong-password' | 'session-ended' | 'changed-meanwhile' };

/** What login and session checks need besides the public account. */
export interface OperatorAuthState {
  account: OperatorAccount;
  /** Bumped whenever all sessions are revoked; a session from an older epoch is dead. */
  epoch: number;
  /**
   * Bumped whenever what the account may see or do changes (role, languages, lines): a live
   * socket built on an older revision is cut, so that it connects again with the new one.
   */
  accessRev: number;
}

/** What `changeAccess` did. */
export interface AccessChangeResult {
  /** The new access revision, or 0 when nothing changed. */
  accessRev: number;
  /**
   * The role was raised, so every session of the account ended (it signs in again, with
   * TOTP where the new role needs it) and its live sockets are cut with `session:ended`.
   */
  sessionsEnded: boolean;
}

/** What `setAccess` can change: what the account may see and do. */
export interface AccessChange {
  role?: OperatorRole;
  /** Validated against the shared `languages`. */
  languages?: readonly string[];
  /** Active conversations at once (1–100). */
  capacity?: number;
  /** Version 2 (lines): line ids or `['*']`; the caller checks that the ids exist. */
  lines?: readonly string[];
}

/** What `resealTotpSecrets` did, and what is left, for `npm run keys -- reseal`. */
export interface TotpResealReport {
  /** Secrets that were under an older data key and are now under the current one. */
  resealed: number;
  /** Per data key id: the TOTP secrets sealed under it now (the current key's included). */
  byKeyId: Record<string, number>;
  /**
   * Usernames whose secret does not open (under a data key DATA_KEY no longer lists, or
   * altered): it cannot be re-sealed, and the account cannot sign in until it gets a new one.
   */
  unreadable: string[];
}

/** Lower-cased, trimmed: the form usernames are compared in. */
export function normalizeUsername(username: string): string {
  return username.trim().toLowerCase();
}

/** Throws `invalid_payload` unless the username is acceptable for a new account. */
export function assertUsernameAcceptable(username: string): void {
  if (!USERNAME_PATTERN.test(username)) {
    throw new AppError(
      'invalid_payload',
      'A username must be 2 to 64 characters: letters, digits, ".", "_" or "-", starting with a letter or digit.',
    );
  }
}

/** Validates and de-duplicates a language list; throws `invalid_payload` when empty or unknown. */
export function parseLanguages(input: readonly string[]): Language[] {
  const out: Language[] = [];
  for (const raw of input) {
    const parsed = languageSchema.safeParse(raw.trim());
    if (!parsed.success) {
      throw new AppError('invalid_payload', `Languages must be among: ${supportedLanguages.join(', ')}.`);
    }
    if (!out.includes(parsed.data)) out.push(parsed.data);
  }
  if (out.length === 0) throw new AppError('invalid_payload', 'An operator needs at least one language.');
  return out;
}

function parseRole(role: string): OperatorRole {
  const parsed = operatorRoleSchema.safeParse(role);
  if (!parsed.success)
    throw new AppError('invalid_payload', 'The role must be operator, supervisor or admin.');
  return parsed.data;
}

/**
 * Validates and de-duplicates an account's lines (`accountLinesSchema`: line ids, or `'*'`
 * alone); throws `invalid_payload`. Whether the ids exist is the caller's check.
 * @example parseAccountLines(['utrecht', 'night']) // ['utrecht', 'night']
 */
export function parseAccountLines(input: readonly string[]): string[] {
  const parsed = accountLinesSchema.safeParse([...new Set(input.map((l) => l.trim()))]);
  if (!parsed.success) {
    throw new AppError(
      'invalid_payload',
      "Lines must be line ids (lower-case letters, digits and dashes), or '*' alone for every line.",
    );
  }
  return parsed.data;
}

function parseDisplayName(name: string): string {
  const trimmed = name.trim();
  if (trimmed.length < 1 || trimmed.length > MAX_DISPLAY_NAME) {
    throw new AppError('invalid_payload', `A display name must be 1 to ${MAX_DISPLAY_NAME} characters.`);
  }
  return trimmed;
}

function authState(h: Record<string, string>): OperatorAuthState {
  return { account: toAccount(h), epoch: Number(h.epoch ?? 0), accessRev: Number(h.accessRev ?? 0) };
}

function toAccount(h: Record<string, string>): OperatorAccount {
  const role = operatorRoleSchema.safeParse(h.role);
  const languages = (h.languages ?? '')
    .split(',')
    .map((l) => languageSchema.safeParse(l))
    .flatMap((r) => (r.success ? [r.data] : []));
  return {
    id: h.id ?? '',
    username: h.username ?? '',
    displayName: h.displayName ?? h.username ?? '',
    // A corrupted role falls back to the least privilege.
    role: role.success ? role.data : 'operator',
    languages,
    disabled: h.disabled === '1',
    totpEnabled: Boolean(h.totpSecret),
    createdAt: h.createdAt ?? '',
    ...(h.passwordOneTime === '1' ? { oneTimePassword: true } : {}),
    ...(h.capacity ? { capacity: Number(h.capacity) } : {}),
    ...storedLines(h.lines),
  };
}

/** Version 2 (lines): an account's `lines` field (a JSON array); absent or unreadable = the first line. */
function storedLines(v: string | undefined): { lines?: string[] } {
  if (!v) return {};
  try {
    const parsed: unknown = JSON.parse(v);
    if (Array.isArray(parsed) && parsed.length > 0 && parsed.every((l) => typeof l === 'string'))
      return { lines: parsed as string[] };
  } catch {
    // A corrupted field falls back to the first line, the least reach.
  }
  return {};
}

/**
 * Operator accounts in Redis. Used by the `auth` plugin (as `app.operators`) and by
 * `npm run operator`, which builds its own from a Redis client, the prefix and the cipher.
 *
 * Disabling an account, resetting its password, raising its role or setting, replacing
 * or clearing its TOTP secret revokes all its sessions (the session epoch) and publishes
 * the operator id and the new epoch on `<prefix>:events:operator-revoked`, so socket
 * servers can cut the live sockets of the sessions it ended (and no newer one). A change
 * of role or languages publishes the id and the new access revision on
 * `<prefix>:events:operator-access`, for the same reason.
 */
export class OperatorStore {
  readonly #redis: Redis;
  readonly #cipher: DataCipher;
  readonly #hasher: PasswordHasher;
  readonly #ownsHasher: boolean;
  readonly #oneTimeMs: number;
  readonly #now: () => number;
  readonly #sessionRevokedChannel: string;
  /** The key layout, for code that shares it (sessions, tests). */
  readonly keys: OperatorKeys;

  constructor(opts: OperatorStoreOptions) {
    this.#redis = opts.redis;
    this.#cipher = opts.cipher;
    this.#ownsHasher = opts.hasher === undefined;
    this.#hasher = opts.hasher ?? new PasswordHasher();
    this.#oneTimeMs = opts.oneTimePasswordMs ?? ONE_TIME_PASSWORD_MS;
    this.#now = opts.now ?? Date.now;
    this.keys = operatorKeys(opts.prefix);
    this.#sessionRevokedChannel = redisKeys(opts.prefix).sessionRevokedChannel;
    prepareScripts(this.#redis, [
      createAccountScript,
      updateAccountScript,
      updateAccessScript,
      totpReplayScript,
      changePasswordScript,
      replaceFieldScript,
      endSessionsScript,
    ]);
  }

  /**
   * Creates an account. Throws `conflict` when the username is taken (in any case),
   * `invalid_payload` for a bad username, password, role, name or language.
   * @example await store.create({ username: 'anna', password, role: 'supervisor' })
   */
  async create(input: CreateOperatorInput): Promise<OperatorAccount> {
    const username = input.username.trim();
    assertUsernameAcceptable(username);
    assertPasswordAcceptable(input.password);
    const role = parseRole(input.role ?? 'operator');
    const displayName = parseDisplayName(input.displayName ?? username);
    const languages = parseLanguages(input.languages ?? DEFAULT_OPERATOR_LANGUAGES);
    // Line ids or '*' alone (whether the ids exist is the caller's check).
    if (input.lines !== undefined) parseAccountLines(input.lines);
    const lower = normalizeUsername(username);
    // Fail fast before spending a password hash on a taken name; the script re-checks.
    if (await this.#redis.hexists(this.keys.byUsername, lower)) throw this.#taken();
    const passwordHash = await this.#hasher.hash(input.password);
    const id = randomUUID();
    const createdAt = new Date().toISOString();
    const fields: Record<string, string> = {
      id,
      username,
      displayName,
      role,
      languages: languages.join(','),
      disabled: '0',
      passwordHash,
      ...this.#passwordFlags(input.oneTime === true),
      epoch: '0',
      createdAt,
      ...(input.lines?.length ? { lines: JSON.stringify(input.lines) } : {}),
    };
    const created = await runScript(
      this.#redis,
      createAccountScript,
      { byUsername: this.keys.byUsername, account: this.keys.operator(id) },
      { username: lower, id, fields: Object.entries(fields).flat() },
    );
    if (!created) throw this.#taken();
    return toAccount(fields);
  }

  /** The account with this id, or null. */
  async get(id: string): Promise<OperatorAccount | null> {
    return (await this.getAuthState(id))?.account ?? null;
  }

  /** The account with this username (case-insensitive), or null. */
  async getByUsername(username: string): Promise<OperatorAccount | null> {
    const id = await this.#redis.hget(this.keys.byUsername, normalizeUsername(username));
    return id ? this.get(id) : null;
  }

  /** Every account, sorted by username. */
  async list(): Promise<OperatorAccount[]> {
    const ids = await this.#redis.hvals(this.keys.byUsername);
    if (ids.length === 0) return [];
    const pipe = this.#redis.pipeline();
    for (const id of ids) pipe.hgetall(this.keys.operator(id));
    const results = (await pipe.exec()) ?? [];
    return results
      .map(([, h]) => h as Record<string, string>)
      .filter((h) => Boolean(h?.id))
      .map(toAccount)
      .sort((a, b) => a.username.localeCompare(b.username));
  }

  /**
   * The ids among `ids` whose TOTP step is locked (auth/totp-lock.ts): TOTP is on and the
   * wrong codes reached `TOTP_FAILURE_LIMIT`. A lock answers sign-ins with the ordinary
   * 401, so the admins' list (`GET /api/admin/operators`, `npm run operator -- list`) is
   * where it shows, and is told apart from a forgotten password. Reads only.
   * @example const locked = await store.totpLocked(accounts.map((a) => a.id))
   */
  async totpLocked(ids: readonly string[]): Promise<Set<string>> {
    const locked = new Set<string>();
    if (ids.length === 0) return locked;
    const pipe = this.#redis.pipeline();
    for (const id of ids) pipe.hmget(this.keys.operator(id), TOTP_FAILURES_FIELD, 'totpSecret');
    const results = (await pipe.exec()) ?? [];
    results.forEach(([err, fields], i) => {
      if (err) throw err;
      const [failures, secret] = fields as (string | null)[];
      if (secret && Number(failures ?? 0) >= TOTP_FAILURE_LIMIT) locked.add(ids[i]!);
    });
    return locked;
  }

  /** The account and its session epoch, as sessions check them; null when unknown. */
  async getAuthState(id: string): Promise<OperatorAuthState | null> {
    const h = await this.#redis.hgetall(this.keys.operator(id));
    if (!h.id) return null;
    return authState(h);
  }

  /**
   * Checks a username and password. Does a full Argon2id verification even for an
   * unknown username, so the answer time does not reveal which names exist. Returns
   * the account also when it is disabled: the caller decides.
   */
  async verifyCredentials(username: string, password: string): Promise<OperatorAuthState | null> {
    return (await this.checkCredentials(username, password)).state;
  }

  /**
   * As `verifyCredentials`, and also names the account a wrong password was tried on
   * (`operatorId`, null for an unknown username), for the audit trail.
   */
  async checkCredentials(
    username: string,
    password: string,
  ): Promise<{ state: OperatorAuthState | null; operatorId: string | null }> {
    const id = await this.#redis.hget(this.keys.byUsername, normalizeUsername(username));
    const h = id ? await this.#redis.hgetall(this.keys.operator(id)) : {};
    if (!h.passwordHash) {
      await this.#hasher.verifyDummy(password);
      return { state: null, operatorId: null };
    }
    if (!(await this.#passwordWorks(h, password))) return { state: null, operatorId: h.id ?? null };
    return { state: authState(h), operatorId: h.id ?? null };
  }

  /**
   * True when `password` is the account's password (the Argon2id check of sign-in) and, if
   * it is a one-time password, it has not expired: an expired one is wrong, nothing more.
   */
  async #passwordWorks(h: Record<string, string>, password: string): Promise<boolean> {
    if (!h.passwordHash || !(await this.#hasher.verify(h.passwordHash, password))) return false;
    if (h.passwordOneTime !== '1') return true;
    // A missing or unreadable time fails closed.
    const setAt = Number(h.passwordSetAt);
    return Number.isFinite(setAt) && this.#now() - setAt < this.#oneTimeMs;
  }

  /** The fields that say who chose a password just hashed, and when it was set. */
  #passwordFlags(oneTime: boolean): { passwordOneTime: string; passwordSetAt: string } {
    return { passwordOneTime: oneTime ? '1' : '0', passwordSetAt: String(this.#now()) };
  }

  /**
   * Disables the account, revokes all its sessions and publishes its id.
   * @returns the number of sessions that were ended
   */
  async disable(id: string): Promise<number> {
    await this.#update(id, { disabled: '1' });
    return this.revokeSessions(id);
  }

  /** Enables a disabled account (its old sessions stay revoked). */
  async enable(id: string): Promise<void> {
    await this.#update(id, { disabled: '0' });
  }

  /**
   * Sets a new one-time password (an admin's reset: its owner did not choose it, so it
   * expires after `oneTimePasswordMs`), revokes all sessions and publishes the id. It also
   * lifts a TOTP lock (auth/totp-lock.ts): the password that guessed the codes is void now.
   * @returns the number of sessions that were ended
   */
  async resetPassword(id: string, password: string): Promise<number> {
    assertPasswordAcceptable(password);
    if (!(await this.#redis.exists(this.keys.operator(id)))) throw new AppError('not_found');
    // Hash, flag and time in one HSET: never a new hash with the old flag.
    await this.#update(id, { passwordHash: await this.#hasher.hash(password), ...this.#passwordFlags(true) });
    // After the new hash: the old password never meets an unlocked TOTP step.
    await this.#redis.hdel(this.keys.operator(id), TOTP_FAILURES_FIELD);
    return this.revokeSessions(id);
  }

  /**
   * The owner replaces their own password from a signed-in session. `currentPassword` is
   * checked as at sign-in (Argon2id; an expired one-time password is wrong). Then, in one
   * step: the new hash replaces the old one, the one-time flag is cleared, the session epoch
   * is bumped, `sessionId` is renewed as `renewedId` in the new epoch (so its owner stays
   * signed in, and a copy of its old cookie does not), and every other session of the
   * account ends. The ended ids, `sessionId` included, are published on the session
   * revocation channel so that their sockets hear `session:ended`. A new password of the
   * wrong length throws `invalid_payload`; that it differs from the current one is the
   * route's schema.
   * @example const r = await store.changePassword(id, { currentPassword, newPassword, sessionId, renewedId })
   */
  async changePassword(
    id: string,
    change: { currentPassword: string; newPassword: string; sessionId: string; renewedId: string },
  ): Promise<PasswordChangeResult> {
    assertPasswordAcceptable(change.newPassword);
    const h = await this.#redis.hgetall(this.keys.operator(id));
    if (!h.id || !h.passwordHash) return { ok: false, reason: 'session-ended' };
    if (!(await this.#passwordWorks(h, change.currentPassword)))
      return { ok: false, reason: 'wrong-password' };
    const passwordHash = await this.#hasher.hash(change.newPassword);
    const others = (await this.#redis.smembers(this.keys.sessionsOf(id))).filter(
      (s) => s !== change.sessionId,
    );
    const { passwordSetAt } = this.#passwordFlags(false);
    const ended = await runScript(
      this.#redis,
      changePasswordScript,
      {
        account: this.keys.operator(id),
        session: this.keys.session(change.sessionId),
        sessions: this.keys.sessionsOf(id),
        renewed: this.keys.session(change.renewedId),
        others: others.map((s) => this.keys.session(s)),
      },
      {
        channel: this.#sessionRevokedChannel,
        operatorId: id,
        sessionId: change.sessionId,
        renewedId: change.renewedId,
        checkedHash: h.passwordHash,
        passwordHash,
        setAt: passwordSetAt,
        revokedChannel: this.keys.revokedChannel,
        otherIds: others,
      },
    );
    if (ended === -1) return { ok: false, reason: 'session-ended' };
    if (ended === -2) return { ok: false, reason: 'changed-meanwhile' };
    return { ok: true, sessionsEnded: ended };
  }

  /**
   * Changes what the account may see or do, in one step. When anything really changed,
   * the access revision is bumped and published on `keys.accessChannel`, so every server
   * cuts the account's live sockets (they connect again with the new rights); the next
   * request already sees the change.
   *
   * A raised role (operator → supervisor or admin, supervisor → admin) ends every session
   * of the account in that same step, as `revokeSessions` does: a session signed in under
   * the lower role (in production perhaps without TOTP) never carries the higher one.
   * @returns the new access revision, or 0 when nothing changed
   * @example await store.setAccess(id, { role: 'operator' })
   */
  async setAccess(id: string, change: AccessChange): Promise<number> {
    return (await this.changeAccess(id, change)).accessRev;
  }

  /**
   * As `setAccess`, and also tells whether the change ended the account's sessions.
   * @example const { accessRev, sessionsEnded } = await store.changeAccess(id, { role: 'admin' })
   */
  async changeAccess(id: string, change: AccessChange): Promise<AccessChangeResult> {
    const fields: string[] = [];
    if (change.role !== undefined) fields.push('role', parseRole(change.role));
    if (change.languages !== undefined) fields.push('languages', parseLanguages(change.languages).join(','));
    if (change.capacity !== undefined) {
      if (!Number.isInteger(change.capacity) || change.capacity < 1 || change.capacity > 100) {
        throw new AppError('invalid_payload', 'A capacity must be a whole number from 1 to 100.');
      }
      fields.push('capacity', String(change.capacity));
    }
    if (change.lines !== undefined) fields.push('lines', JSON.stringify(parseAccountLines(change.lines)));
    const { accessRev, raised } = await runScript(
      this.#redis,
      updateAccessScript,
      { account: this.keys.operator(id) },
      {
        channel: this.keys.accessChannel,
        revokedChannel: this.keys.revokedChannel,
        operatorId: id,
        fields,
      },
    );
    if (accessRev < 0) throw new AppError('not_found');
    // The new epoch already killed them; this only tidies their keys away.
    if (raised) await this.#dropSessions(id);
    return { accessRev, sessionsEnded: raised };
  }

  /** Replaces the languages the operator answers in; see `setAccess`. */
  async setLanguages(id: string, languages: readonly string[]): Promise<number> {
    return this.setAccess(id, { languages });
  }

  /** Version 2: replaces the lines the account belongs to (ids or `['*']`); see `setAccess`. */
  async setLines(id: string, lines: readonly string[]): Promise<number> {
    return this.setAccess(id, { lines });
  }

  /** Changes the role; see `setAccess`. */
  async setRole(id: string, role: OperatorRole): Promise<number> {
    return this.setAccess(id, { role });
  }

  /** Changes the name visitors and colleagues see. */
  async setDisplayName(id: string, displayName: string): Promise<void> {
    await this.#update(id, { displayName: parseDisplayName(displayName) });
  }

  /**
   * Turns TOTP on with this base32 secret (stored encrypted, bound to the operator id), or
   * replaces the secret (a lost authenticator), and ends every session of the account, as
   * `revokeSessions` does: none signed in without it, or with the old one, lives on. It also
   * lifts a TOTP lock (auth/totp-lock.ts).
   * @returns the number of sessions that were ended
   */
  async setTotpSecret(id: string, secretBase32: string): Promise<number> {
    await this.#update(id, { totpSecret: this.#cipher.encrypt(secretBase32, `totp:${id}`) });
    await this.#redis
      .multi()
      .del(this.keys.totpLast(id))
      .hdel(this.keys.operator(id), TOTP_FAILURES_FIELD)
      .exec();
    // After the new secret is stored: a sign-in that checked the old one is from the old epoch.
    return this.revokeSessions(id);
  }

  /**
   * Turns TOTP off (lifting a TOTP lock with it) and ends every session of the account, as
   * `revokeSessions` does.
   * @returns the number of sessions that were ended
   */
  async clearTotp(id: string): Promise<number> {
    if (!(await this.#redis.exists(this.keys.operator(id)))) throw new AppError('not_found');
    await this.#redis
      .multi()
      .hdel(this.keys.operator(id), 'totpSecret', TOTP_FAILURES_FIELD)
      .del(this.keys.totpLast(id))
      .exec();
    return this.revokeSessions(id);
  }

  /**
   * Checks a TOTP code (window ±1 step) and consumes its time step: the same code, or
   * an older one, is refused afterwards. False when TOTP is off.
   */
  async verifyTotp(id: string, code: string, nowMs: number = Date.now()): Promise<boolean> {
    const sealed = await this.#redis.hget(this.keys.operator(id), 'totpSecret');
    if (!sealed) return false;
    const counter = matchTotp(this.#cipher.decrypt(sealed, `totp:${id}`), code, nowMs);
    if (counter === null) return false;
    const keepMs = (2 * TOTP_WINDOW + 2) * TOTP_PERIOD_S * 1000;
    const accepted = await runScript(
      this.#redis,
      totpReplayScript,
      { totpLast: this.keys.totpLast(id) },
      { counter, keepMs },
    );
    // The secret lives as long as the account: after a DATA_KEY rotation, the first sign-in
    // moves it to the new key, so that the old key can be retired.
    // A re-seal that fails (Redis away a moment) does not fail the sign-in, whose code is
    // used up by now: the next sign-in tries again, and `npm run keys -- reseal` counts it.
    if (accepted && sealedKeyId(sealed) !== this.#cipher.currentKeyId)
      await this.resealTotp(id, sealed).catch(() => false);
    return accepted;
  }

  /**
   * Seals the account's TOTP secret again under the current data key, if `sealed` (read
   * before) is still the stored one: never over a secret replaced or turned off meanwhile.
   * `sealed` must open under a configured key (it throws otherwise).
   * @returns true when the secret was re-sealed
   */
  async resealTotp(id: string, sealed: string): Promise<boolean> {
    const binding = `totp:${id}`;
    const resealed = this.#cipher.encrypt(this.#cipher.decrypt(sealed, binding), binding);
    return this.#replaceField(this.keys.operator(id), 'totpSecret', sealed, resealed);
  }

  /**
   * Re-seals every account's TOTP secret that is under an older data key (`npm run keys --
   * reseal`), and counts the secrets per key id afterwards. A secret under a key id no longer
   * configured is counted under it and its account named: only a new secret helps there.
   */
  async resealTotpSecrets(): Promise<TotpResealReport> {
    const report: TotpResealReport = { resealed: 0, byKeyId: {}, unreadable: [] };
    const current = this.#cipher.currentKeyId;
    const configured = new Set(this.#cipher.keyIds);
    for (const id of await this.#redis.hvals(this.keys.byUsername)) {
      const read = () => this.#redis.hmget(this.keys.operator(id), 'totpSecret', 'username');
      let [sealed, username] = await read();
      let kid = sealed ? (sealedKeyId(sealed) ?? '?') : '';
      let opens = configured.has(kid);
      // A secret replaced while this ran is read again: by then it is under the current key.
      for (let tries = 0; sealed && opens && kid !== current && tries < 3; tries++) {
        try {
          if (await this.resealTotp(id, sealed)) {
            report.resealed++;
            kid = current;
            break;
          }
        } catch (err) {
          if (!(err instanceof UnopenedError)) throw err;
          opens = false; // under a configured key id, yet altered or sealed with another key
          break;
        }
        [sealed, username] = await read();
        kid = sealed ? (sealedKeyId(sealed) ?? '?') : '';
        opens = configured.has(kid);
      }
      if (!sealed) continue;
      report.byKeyId[kid] = (report.byKeyId[kid] ?? 0) + 1;
      if (!opens) report.unreadable.push(username ?? id);
    }
    report.unreadable.sort();
    return report;
  }

  /** Sets `field` of hash `key` to `value` only while it still holds `expected` (one script). */
  async #replaceField(key: string, field: string, expected: string, value: string): Promise<boolean> {
    return runScript(this.#redis, replaceFieldScript, { hash: key }, { field, expected, value });
  }

  /**
   * Ends every session of the operator and publishes the id, with the new epoch, on the
   * revocation channel, in one script (end-sessions.lua; not queued in a MULTI, where a
   * NOSCRIPT would fail alone at EXEC, unretried). Bumping the epoch also kills a session
   * that a concurrent login is creating.
   * @returns the number of sessions that were ended
   */
  async revokeSessions(id: string): Promise<number> {
    const sessions = this.keys.sessionsOf(id);
    const sessionIds = await this.#redis.smembers(sessions);
    const ended = await runScript(
      this.#redis,
      endSessionsScript,
      {
        account: this.keys.operator(id),
        sessions,
        sessionKeys: sessionIds.map((s) => this.keys.session(s)),
      },
      { channel: this.keys.revokedChannel, operatorId: id },
    );
    if (ended < 0) throw new AppError('not_found');
    return ended;
  }

  /**
   * Deletes the account's session keys and its session set (their epoch ended them already).
   * @returns the number of session keys deleted
   */
  async #dropSessions(id: string): Promise<number> {
    const setKey = this.keys.sessionsOf(id);
    const sessionIds = await this.#redis.smembers(setKey);
    const multi = this.#redis.multi();
    if (sessionIds.length > 0) multi.del(...sessionIds.map((s) => this.keys.session(s)));
    multi.del(setKey);
    const results = (await multi.exec()) ?? [];
    return sessionIds.length > 0 ? Number(results[0]?.[1] ?? 0) : 0;
  }

  /** Stops the password worker if this store started it. */
  async close(): Promise<void> {
    if (this.#ownsHasher) await this.#hasher.close();
  }

  async #update(id: string, fields: Record<string, string>): Promise<void> {
    const done = await runScript(
      this.#redis,
      updateAccountScript,
      { account: this.keys.operator(id) },
      { fields: Object.entries(fields).flat() },
    );
    if (!done) throw new AppError('not_found');
  }

  #taken(): AppError {
    return refusal('username_taken');
  }
}
