import type { LoginBody, OperatorIdentity } from '@stille-lijn/shared';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { fetchMe, type LoginResult, login, logout, stillSignedIn } from '../api/http.ts';
import { writeLockMarker } from '../lock/marker.ts';

export type SignedOutNotice = 'expired' | 'logged-out';

export type SessionState =
  | { kind: 'loading' }
  | { kind: 'signed-out'; notice: SignedOutNotice | undefined }
  | { kind: 'signed-in'; operator: OperatorIdentity };

export interface Session {
  state: SessionState;
  signIn(body: LoginBody): Promise<LoginResult>;
  /**
   * Ends the session; false, with the operator still signed in, unless the server
   * confirmed it (the cookie is HttpOnly: only the server can end the session).
   */
  signOut(): Promise<boolean>;
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
  // A refusal as signed out that came while signing out (`expire`'s options).
  const endedWhileSigningOut = useRef<{ checked?: boolean } | undefined>(undefined);

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
      // A sign-in with the password unlocks a locked console (lock/marker.ts).
      writeLockMarker(false);
      setState({ kind: 'signed-in', operator: result.operator });
    }
    return result;
  }, []);

  const signedIn = useRef<OperatorIdentity | undefined>(undefined);
  signedIn.current = state.kind === 'signed-in' ? state.operator : undefined;

  const expire = useCallback((opts: { checked?: boolean } = {}) => {
    const operator = signedIn.current;
    if (!operator) return;
    if (signingOut.current) {
      // Told again if the sign-out is not confirmed after all.
      endedWhileSigningOut.current = opts;
      return;
    }
    // A request that left with a cookie renewed meanwhile (a password change, here or in
    // another tab) is refused though the browser's cookie names a live session.
    void (opts.checked ? Promise.resolve(false) : stillSignedIn(operator.id)).then((live) => {
      if (!live && !signingOut.current) setState({ kind: 'signed-out', notice: 'expired' });
    });
  }, []);

  const signOut = useCallback(async () => {
    signingOut.current = true;
    endedWhileSigningOut.current = undefined;
    if (await logout()) {
      writeLockMarker(false);
      setState({ kind: 'signed-out', notice: 'logged-out' });
      return true;
    }
    signingOut.current = false;
    const ended = endedWhileSigningOut.current;
    endedWhileSigningOut.current = undefined;
    if (ended) expire(ended);
    return false;
  }, [expire]);

  const update = useCallback((operator: OperatorIdentity) => {
    setState((s) =>
      s.kind === 'signed-in' && s.operator.id === operator.id ? { kind: 'signed-in', operator } : s,
    );
  }, []);

  return { state, signIn, signOut, expire, update };
}
