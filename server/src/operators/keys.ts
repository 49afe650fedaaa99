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
  /** String counters for login throttling (keyed hashes, never raw values). */
  loginFailUser(hash: string): string;
  loginFailIp(hash: string): string;
  /** Pub/sub channel: an operator's sessions were revoked; payload is the operator id. */
  revokedChannel: string;
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
    loginFailUser: (hash) => k('login-fail', 'user', hash),
    loginFailIp: (hash) => k('login-fail', 'ip', hash),
    revokedChannel: k('events', 'operator-revoked'),
  };
}
