import type { LoginBody } from '@stille-lijn/shared';
import { useState } from 'preact/hooks';
import type { LoginResult } from '../api/http.ts';
import { useI18n } from '../i18n/index.ts';
import { formatClock } from '../lib/time.ts';

interface SessionNoticeProps {
  /** When the session reaches its absolute limit (`session:expiring`). */
  expiresAt: string | undefined;
  /** Signs in again; on success as the same operator the workspace goes on on the new session. */
  onSignIn(body: LoginBody): Promise<LoginResult>;
}

/**
 * The warning ahead of the session's absolute limit, with a sign-in in place: the
 * workspace, its open conversations and drafts stay on screen while the new session
 * takes over the connection.
 */
export function SessionNotice({ expiresAt, onSignIn }: SessionNoticeProps) {
  const { t } = useI18n();
  const [formOpen, setFormOpen] = useState(false);
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [totp, setTotp] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>(undefined);
  const [renewed, setRenewed] = useState(false);

  if (expiresAt === undefined && !renewed) return null;

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    const code = totp.trim();
    const result = await onSignIn({
      username: username.trim(),
      password,
      ...(code !== '' ? { totp: code } : {}),
    });
    setBusy(false);
    if (!result.ok) {
      setError(
        result.kind === 'invalid'
          ? t.signin.errorInvalid
          : result.kind === 'throttled'
            ? t.signin.errorThrottled(result.retryAfterSeconds)
            : t.signin.errorUnavailable,
      );
      return;
    }
    setPassword('');
    setTotp('');
    setFormOpen(false);
    setRenewed(true);
  };

  return (
    <section class="session-box" aria-label={t.shift.renewHeading}>
      {renewed && (
        <p class="session-notice" role="status" data-sl="session-renewed">
          {t.shift.renewed}
        </p>
      )}
      {expiresAt !== undefined && (
        <div class="session-expiring" data-sl="session-expiring" data-at={expiresAt}>
          <p role="alert">
            {t.shift.expiringAt(formatClock(expiresAt, t.locale))}{' '}
            {!formOpen && (
              <button type="button" class="small" data-sl="session-renew" onClick={() => setFormOpen(true)}>
                {t.shift.renew}
              </button>
            )}
          </p>
          {formOpen && (
            <form class="renew-form" onSubmit={submit}>
              <label for="renew-username">{t.signin.username}</label>
              <input
                id="renew-username"
                data-sl="renew-username"
                autocomplete="username"
                required
                value={username}
                onInput={(e) => setUsername(e.currentTarget.value)}
              />
              <label for="renew-password">{t.signin.password}</label>
              <input
                id="renew-password"
                type="password"
                data-sl="renew-password"
                autocomplete="current-password"
                required
                value={password}
                onInput={(e) => setPassword(e.currentTarget.value)}
              />
              <label for="renew-totp">{t.signin.totp}</label>
              <input
                id="renew-totp"
                data-sl="renew-totp"
                inputMode="numeric"
                autocomplete="one-time-code"
                value={totp}
                onInput={(e) => setTotp(e.currentTarget.value)}
              />
              {error !== undefined && (
                <p class="error" role="alert" data-sl="renew-error">
                  {error}
                </p>
              )}
              <div class="buttons">
                <button type="submit" class="primary" data-sl="renew-submit" disabled={busy}>
                  {t.shift.renewSubmit}
                </button>
                <button type="button" onClick={() => setFormOpen(false)}>
                  {t.shift.renewCancel}
                </button>
              </div>
            </form>
          )}
        </div>
      )}
    </section>
  );
}
