/**
 * The Redis key layout for operator accounts and their sessions. One place, so the
 * store, the session code and the CLI can never disagree about a key name.
 */
export interface OperatorKeys {
  /** Hash: the account's fields. */
  operator(id: string): string;
  /** Hash: lower-cased username → operator id (uniqueness and lookup). */
  byUsername: string;
  /** Set: the ids of the operator's sessions, so all can be revoked. */
  sessionsOf(id: string): string;
  /** String: the last TOTP counter accepted, against replay. */
  totpLast(id: string): string;
  /** Hash: one session, keyed by the hash of its token. */
  session(sessionId: string): string;
  /**
   * Hash: a login-throttling counter, named by a keyed hash (never a raw username or
   * address): per (username, address), per username, or per address.
   */
  loginThrottle(kind: 'pair' | 'user' | 'address', hash: string): string;
  /** String: this username signed in from this address recently (keyed hash of both). */
  loginKnown(hash: string): string;
  /** Pub/sub channel: an operator's sessions were revoked; payload is the operator id. */
  revokedChannel: string;
  /**
   * Pub/sub channel: what an account may see or do changed (role, languages); payload is
   * `<operator id> <access revision>`. Live sockets built on an older revision are cut.
   */
  accessChannel: string;
}

/** Builds the key names under `prefix` (the `REDIS_PREFIX`, as `app.key` does). */
export function operatorKeys(prefix: string): OperatorKeys {
  const k = (...parts: string[]) => [prefix, ...parts].join(':');
  return {
    operator: (id) => k('operator', id),
    byUsername: k('operators', 'by-username'),
    sessionsOf: (id) => k('operator', id, 'sessions'),
    totpLast: (id) => k('operator', id, 'totp-last'),
    session: (sessionId) => k('session', sessionId),
    loginThrottle: (kind, hash) => k('login-throttle', kind, hash),
    loginKnown: (hash) => k('login-known', hash),
    revokedChannel: k('events', 'operator-revoked'),
    accessChannel: k('events', 'operator-access'),
  };
}
