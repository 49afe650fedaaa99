import type { LoginBody, OperatorIdentity } from '@stille-lijn/shared';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { fetchMe, type LoginResult, login, logout, stillSignedIn } from '../api/http.ts';

export type SignedOutNotice = 'expired' | 'logged-out';

export type SessionState =
  | { kind: 'loading' }
  | { kind: 'signed-out'; notice: SignedOutNotice | undefined }
  | { kind: 'signed-in'; operator: OperatorIdentity };

export interface Session {
  state: SessionState;
  signIn(body: LoginBody): Promise<LoginResult>;
  signOut(): Promise<void>;
  /**
   * The server refused the session (idle timeout, revoked): back to sign-in with a notice,
   * unless the browser's cookie names a live session of the same operator by now. `checked`:
   * the caller has read the cookie again already (the workspace does), so it is not read twice.
   */
  expire(opts?: { checked?: boolean }): void;
  /** The same operator with what an admin changed (a new role): the session goes on. */
  update(operator: OperatorIdentity): void;
}

/** Who is signed in. Lives in memory only; the session itself is an HttpOnly cookie. */
export function useSession(): Session {
  const [state, setState] = useState<SessionState>({ kind: 'loading' });
  // Logging out cuts the socket too; that must not read as an expired session.
  const signingOut = useRef(false);

  useEffect(() => {
    let cancelled = false;
    void fetchMe().then((me) => {
      if (cancelled) return;
      setState(me.ok ? { kind: 'signed-in', operator: me.data } : { kind: 'signed-out', notice: undefined });
    });
    return () => {
      cancelled = true;
    };
  }, []);

  const signIn = useCallback(async (body: LoginBody) => {
    const result = await login(body);
    if (result.ok) {
      signingOut.current = false;
      setState({ kind: 'signed-in', operator: result.operator });
    }
    return result;
  }, []);

  const signOut = useCallback(async () => {
    signingOut.current = true;
    await logout();
    setState({ kind: 'signed-out', notice: 'logged-out' });
  }, []);

  const signedIn = useRef<OperatorIdentity | undefined>(undefined);
  signedIn.current = state.kind === 'signed-in' ? state.operator : undefined;

  const expire = useCallback((opts: { checked?: boolean } = {}) => {
    const operator = signedIn.current;
    if (signingOut.current || !operator) return;
    // A request that left with a cookie renewed meanwhile (a password change, here or in
    // another tab) is refused though the browser's cookie names a live session.
    void (opts.checked ? Promise.resolve(false) : stillSignedIn(operator.id)).then((live) => {
      if (!live && !signingOut.current) setState({ kind: 'signed-out', notice: 'expired' });
    });
  }, []);

  const update = useCallback((operator: OperatorIdentity) => {
    setState((s) =>
      s.kind === 'signed-in' && s.operator.id === operator.id ? { kind: 'signed-in', operator } : s,
    );
  }, []);

  return { state, signIn, signOut, expire, update };
}
