import type { LoginBody } from '@stille-lijn/shared';
import type { LoginResult } from '../api/http.ts';
import type { SignedOutNotice } from '../app/useSession.ts';
import { useI18n } from '../i18n/index.ts';
import { SignInPage } from './SignInPage.tsx';

interface SignInScreenProps {
  notice: SignedOutNotice | undefined;
  onSubmit(body: LoginBody): Promise<LoginResult>;
  onToggleLanguage(): void;
}

export function SignInScreen({ notice, onSubmit, onToggleLanguage }: SignInScreenProps) {
  const { t } = useI18n();
  return (
    <SignInPage
      idPrefix="login"
      heading={t.signin.heading}
      intro={t.signin.intro}
      before={
        notice !== undefined && (
          <p class="notice" role="status" data-sl="session-notice" data-notice={notice}>
            {notice === 'expired' ? t.signin.noticeExpired : t.signin.noticeLoggedOut}
          </p>
        )
      }
      submitText={t.signin.submit}
      submittingText={t.signin.submitting}
      onSubmit={onSubmit}
      onToggleLanguage={onToggleLanguage}
    />
  );
}
