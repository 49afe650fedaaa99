import type { LoginBody } from '@stille-lijn/shared';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { LoginResult } from '../api/http.ts';
import { useI18n } from '../i18n/index.ts';
import { loginBodyFrom } from '../signin/credentials.ts';

interface LockScreenProps {
  /** Whose console this is: the name only, nothing of their conversations. */
  displayName: string;
  /** Waiting conversations and unread messages, as the tab title counts them. */
  pending: number;
  /** The ordinary sign-in (`POST /api/auth/login`): password, and TOTP when the account has it. */
  onSignIn(body: LoginBody): Promise<LoginResult>;
  onToggleLanguage(): void;
}

/**
 * In place of the whole signed-in console while it is locked: the workspace is not in the
 * page at all. Unlocking is a sign-in; the operator's own one brings the workspace back as
 * it was, anyone else's opens their own (the console is keyed by operator).
 */
export function LockScreen({ displayName, pending, onSignIn, onToggleLanguage }: LockScreenProps) {
  const { t, locale } = useI18n();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [totp, setTotp] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>(undefined);
  // Re-inserting the message makes screen readers announce a repeated error again.
  const [attempt, setAttempt] = useState(0);
  const usernameRef = useRef<HTMLInputElement>(null);
  const passwordRef = useRef<HTMLInputElement>(null);

  useEffect(() => usernameRef.current?.focus(), []);

  const submit = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    setAttempt((n) => n + 1);
    const body = loginBodyFrom(username, password, totp);
    if (!body) {
      setError(t.signin.errorInvalid);
      return;
    }
    setBusy(true);
    setError(undefined);
    const result = await onSignIn(body);
    if (result.ok) return;
    setBusy(false);
    setPassword('');
    setTotp('');
    setError(
      result.kind === 'invalid'
        ? t.signin.errorInvalid
        : result.kind === 'throttled'
          ? t.signin.errorThrottled(result.retryAfterSeconds)
          : t.signin.errorUnavailable,
    );
    passwordRef.current?.focus();
  };

  return (
    <>
      <header class="signin-header">
        <p class="brand">{t.app.name}</p>
        <button
          type="button"
          class="link-button"
          lang={locale === 'nl' ? 'en' : 'nl'}
          onClick={onToggleLanguage}
        >
          {t.app.switchLanguage}
        </button>
      </header>
      <main id="main" class="signin" data-sl="lock-screen">
        <form class="signin-form card" onSubmit={submit} aria-labelledby="lock-heading" noValidate>
          <h1 id="lock-heading">{t.lock.heading}</h1>
          <p>{t.lock.intro(displayName)}</p>
          <div role="status">
            {pending > 0 && (
              <p class="notice" data-sl="lock-pending" data-count={pending}>
                {t.lock.pending(pending)}
              </p>
            )}
          </div>
          <div class="field">
            <label for="unlock-username">{t.signin.username}</label>
            <input
              ref={usernameRef}
              id="unlock-username"
              data-sl="unlock-username"
              name="username"
              autocomplete="username"
              autocapitalize="none"
              spellcheck={false}
              required
              value={username}
              onInput={(e) => setUsername(e.currentTarget.value)}
            />
          </div>
          <div class="field">
            <label for="unlock-password">{t.signin.password}</label>
            <input
              ref={passwordRef}
              id="unlock-password"
              data-sl="unlock-password"
              name="password"
              type="password"
              autocomplete="current-password"
              required
              value={password}
              onInput={(e) => setPassword(e.currentTarget.value)}
            />
          </div>
          <div class="field">
            <label for="unlock-totp">{t.signin.totp}</label>
            <input
              id="unlock-totp"
              data-sl="unlock-totp"
              name="totp"
              inputMode="numeric"
              autocomplete="one-time-code"
              maxLength={7}
              aria-describedby="unlock-totp-hint"
              value={totp}
              onInput={(e) => setTotp(e.currentTarget.value)}
            />
            <p id="unlock-totp-hint" class="hint">
              {t.signin.totpHint}
            </p>
          </div>
          <div role="alert" class="error-slot">
            {error !== undefined && (
              <p key={attempt} class="error" data-sl="unlock-error">
                {error}
              </p>
            )}
          </div>
          <button type="submit" class="primary" data-sl="unlock-submit" disabled={busy}>
            {busy ? t.lock.submitting : t.lock.submit}
          </button>
          <p class="hint">{t.lock.otherAccount}</p>
        </form>
      </main>
    </>
  );
}
