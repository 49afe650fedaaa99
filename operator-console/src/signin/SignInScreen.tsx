import type { LoginBody } from '@stille-lijn/shared';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { LoginResult } from '../api/http.ts';
import type { SignedOutNotice } from '../app/useSession.ts';
import { useI18n } from '../i18n/index.ts';
import { useNow } from '../lib/useNow.ts';
import { loginBodyFrom } from './credentials.ts';

type FormError = { kind: 'invalid' } | { kind: 'unavailable' } | { kind: 'throttled'; until: number };

interface SignInScreenProps {
  notice: SignedOutNotice | undefined;
  onSubmit(body: LoginBody): Promise<LoginResult>;
  onToggleLanguage(): void;
}

export function SignInScreen({ notice, onSubmit, onToggleLanguage }: SignInScreenProps) {
  const { t, locale } = useI18n();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [totp, setTotp] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<FormError | undefined>(undefined);
  // Re-inserting the message makes screen readers announce a repeated error again.
  const [attempt, setAttempt] = useState(0);
  const usernameRef = useRef<HTMLInputElement>(null);
  const passwordRef = useRef<HTMLInputElement>(null);
  const now = useNow(1000);

  useEffect(() => usernameRef.current?.focus(), []);

  // `now` only drives the re-render; the clock is read here so the wait never shows more than Retry-After.
  const current = Math.max(now, Date.now());
  const waitSeconds =
    error?.kind === 'throttled' ? Math.max(0, Math.ceil((error.until - current) / 1000)) : 0;
  const waiting = waitSeconds > 0;

  const submit = async (e: Event) => {
    e.preventDefault();
    if (busy || waiting) return;
    const body = loginBodyFrom(username, password, totp);
    setAttempt((n) => n + 1);
    if (!body) {
      setError({ kind: 'invalid' });
      return;
    }
    setBusy(true);
    const result = await onSubmit(body);
    if (result.ok) return;
    setBusy(false);
    setPassword('');
    setTotp('');
    setError(
      result.kind === 'throttled'
        ? { kind: 'throttled', until: Date.now() + result.retryAfterSeconds * 1000 }
        : { kind: result.kind },
    );
    passwordRef.current?.focus();
  };

  let errorText: string | undefined;
  if (error?.kind === 'invalid') errorText = t.signin.errorInvalid;
  else if (error?.kind === 'unavailable') errorText = t.signin.errorUnavailable;
  else if (error?.kind === 'throttled' && waiting) errorText = t.signin.errorThrottled(waitSeconds);

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
      <main id="main" class="signin">
        <form class="signin-form card" onSubmit={submit} aria-labelledby="signin-heading" noValidate>
          <h1 id="signin-heading">{t.signin.heading}</h1>
          <p>{t.signin.intro}</p>
          {notice !== undefined && (
            <p class="notice" role="status" data-sl="session-notice" data-notice={notice}>
              {notice === 'expired' ? t.signin.noticeExpired : t.signin.noticeLoggedOut}
            </p>
          )}
          <div class="field">
            <label for="login-username">{t.signin.username}</label>
            <input
              ref={usernameRef}
              id="login-username"
              data-sl="login-username"
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
            <label for="login-password">{t.signin.password}</label>
            <input
              ref={passwordRef}
              id="login-password"
              data-sl="login-password"
              name="password"
              type="password"
              autocomplete="current-password"
              required
              value={password}
              onInput={(e) => setPassword(e.currentTarget.value)}
            />
          </div>
          <div class="field">
            <label for="login-totp">{t.signin.totp}</label>
            <input
              id="login-totp"
              data-sl="login-totp"
              name="totp"
              inputMode="numeric"
              autocomplete="one-time-code"
              maxLength={7}
              aria-describedby="login-totp-hint"
              value={totp}
              onInput={(e) => setTotp(e.currentTarget.value)}
            />
            <p id="login-totp-hint" class="hint">
              {t.signin.totpHint}
            </p>
          </div>
          <div role="alert" class="error-slot">
            {errorText !== undefined && (
              <p key={attempt} class="error" data-sl="login-error" data-kind={error?.kind}>
                {errorText}
              </p>
            )}
          </div>
          <button type="submit" class="primary" data-sl="login-submit" disabled={busy || waiting}>
            {busy ? t.signin.submitting : t.signin.submit}
          </button>
        </form>
      </main>
    </>
  );
}
