import type { Language, OperatorRole } from '@stille-lijn/shared';

/** An operator account as the rest of the server sees it (never the password hash). */
export interface OperatorAccount {
  id: string;
  username: string;
  displayName: string;
  role: OperatorRole;
  /** Languages the operator answers in. @default ['nl', 'en'] */
  languages: Language[];
  disabled: boolean;
  totpEnabled: boolean;
  /** Active conversations at once, when an admin set one. @default OPERATOR_CAPACITY */
  capacity?: number;
  /** Version 2: the lines of an operator or supervisor, `['*']` for all; unset = the first line. */
  lines?: string[] | undefined;
  createdAt: string;
  /**
   * True while its password is a one-time password (an admin's, the CLI's, the demo's): it
   * expires after `ONE_TIME_PASSWORD_HOURS` unless the owner chooses their own.
   */
  oneTimePassword?: boolean;
}

export interface SessionInfo {
  sessionId: string;
  operator: OperatorAccount;
  /** The account's access revision when this was read (see `OperatorAuthState.accessRev`). */
  accessRev: number;
  /** The account's session epoch it was signed in under (see `OperatorAuthState.epoch`). */
  epoch: number;
  /** When the session ends however active it is (`SESSION_MAX_HOURS` after sign-in), ms since the epoch. */
  expiresAt: number;
}

/** What the sockets and other plugins need from auth. */
export interface AuthService {
  /** Resolves a `Cookie` header to a live session (refreshing its idle timer), or null. */
  sessionFromCookieHeader(cookieHeader: string | undefined): Promise<SessionInfo | null>;
  /** True while the session exists and its operator is enabled. */
  isSessionLive(sessionId: string): Promise<boolean>;
}

/** The full `app.auth`: the `AuthService` contract plus session controls. */
export interface OperatorAuthService extends AuthService {
  /**
   * Refreshes a live session's idle timer, as a REST call does. The socket layer can
   * call it on operator activity so an operator who only chats is not signed out.
   * @returns false when the session is no longer live
   */
  touchSession(sessionId: string): Promise<boolean>;
  /** Ends one session (it does not publish a revocation: other sessions stay). */
  revokeSession(sessionId: string): Promise<void>;
  /**
   * The live session with its account as it is now; null when dead. `touch` refreshes its
   * idle timer (a connected console does so on every heartbeat).
   */
  liveSession(sessionId: string, opts?: { touch: boolean }): Promise<SessionInfo | null>;
}
