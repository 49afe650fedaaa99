import type { LoginBody } from '@stille-lijn/shared';
import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { LoginResult } from '../api/http.ts';
import { LanguageSwitch } from '../app/LanguageSwitch.tsx';
import { useI18n } from '../i18n/index.ts';
import { useNow } from '../lib/useNow.ts';
import { loginBodyFrom } from './credentials.ts';

type FormError = { kind: 'invalid' } | { kind: 'unavailable' } | { kind: 'throttled'; until: number };

interface SignInPageProps {
  /** The fields' ids and `data-sl` hooks start with it: `login-username`, `unlock-password`… */
  idPrefix: 'login' | 'unlock';
  /** The `data-sl` of the page's `main`, if any. */
  sl?: string;
  heading: string;
  intro: string;
  /** Between the intro and the fields (a notice). */
  before?: ComponentChildren;
  /** Under the button (a hint). */
  after?: ComponentChildren;
  submitText: string;
  submittingText: string;
  onSubmit(body: LoginBody): Promise<LoginResult>;
  onToggleLanguage(): void;
}

/**
 * The sign-in form on a page of its own: username, password and TOTP, the errors of
 * `POST /api/auth/login` (a throttle counts down its Retry-After), the language switch. The
 * sign-in screen and the lock screen are this page with their own words.
 */
export function SignInPage({
  idPrefix: id,
  sl,
  heading,
  intro,
  before,
  after,
  submitText,
  submittingText,
  onSubmit,
  onToggleLanguage,
}: SignInPageProps) {
  const { t } = useI18n();
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
        <LanguageSwitch onToggle={onToggleLanguage} />
      </header>
      <main id="main" class="signin" data-sl={sl}>
        <form class="signin-form card" onSubmit={submit} aria-labelledby={`${id}-heading`} noValidate>
          <h1 id={`${id}-heading`}>{heading}</h1>
          <p>{intro}</p>
          {before}
          <div class="field">
            <label for={`${id}-username`}>{t.signin.username}</label>
            <input
              ref={usernameRef}
              id={`${id}-username`}
              data-sl={`${id}-username`}
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
            <label for={`${id}-password`}>{t.signin.password}</label>
            <input
              ref={passwordRef}
              id={`${id}-password`}
              data-sl={`${id}-password`}
              name="password"
              type="password"
              autocomplete="current-password"
              required
              value={password}
              onInput={(e) => setPassword(e.currentTarget.value)}
            />
          </div>
          <div class="field">
            <label for={`${id}-totp`}>{t.signin.totp}</label>
            <input
              id={`${id}-totp`}
              data-sl={`${id}-totp`}
              name="totp"
              inputMode="numeric"
              autocomplete="one-time-code"
              maxLength={7}
              aria-describedby={`${id}-totp-hint`}
              value={totp}
              onInput={(e) => setTotp(e.currentTarget.value)}
            />
            <p id={`${id}-totp-hint`} class="hint">
              {t.signin.totpHint}
            </p>
          </div>
          <div role="alert" class="error-slot">
            {errorText !== undefined && (
              <p key={attempt} class="error" data-sl={`${id}-error`} data-kind={error?.kind}>
                {errorText}
              </p>
            )}
          </div>
          <button type="submit" class="primary" data-sl={`${id}-submit`} disabled={busy || waiting}>
            {busy ? submittingText : submitText}
          </button>
          {after}
        </form>
      </main>
    </>
  );
}
