import type { LoginBody } from '@stille-lijn/shared';
import type { LoginResult } from '../api/http.ts';
import { useI18n } from '../i18n/index.ts';
import { SignInPage } from '../signin/SignInPage.tsx';

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
  const { t } = useI18n();
  return (
    <SignInPage
      idPrefix="unlock"
      sl="lock-screen"
      heading={t.lock.heading}
      intro={t.lock.intro(displayName)}
      before={
        <div role="status">
          {pending > 0 && (
            <p class="notice" data-sl="lock-pending" data-count={pending}>
              {t.lock.pending(pending)}
            </p>
          )}
        </div>
      }
      after={<p class="hint">{t.lock.otherAccount}</p>}
      submitText={t.lock.submit}
      submittingText={t.lock.submitting}
      onSubmit={onSignIn}
      onToggleLanguage={onToggleLanguage}
    />
  );
}
