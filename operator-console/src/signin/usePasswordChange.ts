import { useCallback, useEffect, useState } from 'preact/hooks';
import { fetchPasswordChangeDue } from './password.ts';

export interface PasswordChange {
  /** The password is one-time and should be replaced; undefined until the server said. */
  due: boolean | undefined;
  /** The password band: hidden, its buttons only, or with the form open. */
  panel: 'hidden' | 'buttons' | 'form';
  /** Just changed: a notice says so until it is closed. */
  changed: boolean;
  openForm(): void;
  /** "Later" or "Cancel": hidden for now (a reload asks again while still due). */
  close(): void;
  /** The server took the new password. */
  done(): void;
  dismissNotice(): void;
}

/** Focus left inside a band that goes away goes to the main area, not to the page's start. */
function keepFocus(): void {
  const active = document.activeElement;
  if (active instanceof HTMLElement && active.closest('.password-panel')) {
    setTimeout(() => document.getElementById('main')?.focus(), 0);
  }
}

/**
 * Whether to offer a personal password, in memory only: asked once of `GET /api/auth/me`
 * after sign-in (or a reload), shown as a prompt while the password is one-time.
 */
export function usePasswordChange(): PasswordChange {
  const [due, setDue] = useState<boolean | undefined>(undefined);
  const [panel, setPanel] = useState<PasswordChange['panel']>('hidden');
  const [changed, setChanged] = useState(false);

  useEffect(() => {
    let cancelled = false;
    void fetchPasswordChangeDue().then((answer) => {
      // An ended session is the workspace's to notice; an unreachable server asks next time.
      if (cancelled || typeof answer !== 'boolean') return;
      setDue(answer);
      if (answer) setPanel((p) => (p === 'hidden' ? 'buttons' : p));
    });
    return () => {
      cancelled = true;
    };
  }, []);

  const openForm = useCallback(() => {
    setChanged(false);
    setPanel('form');
  }, []);
  const close = useCallback(() => {
    keepFocus();
    setPanel('hidden');
  }, []);
  const done = useCallback(() => {
    keepFocus();
    setDue(false);
    setPanel('hidden');
    setChanged(true);
  }, []);
  const dismissNotice = useCallback(() => setChanged(false), []);

  return { due, panel, changed, openForm, close, done, dismissNotice };
}
