import type { JSX } from 'preact';
import { useEffect, useMemo, useState } from 'preact/hooks';
import { catalogues, DEFAULT_LOCALE, type I18n, I18nContext, type Locale } from '../i18n/index.ts';
import { SignInScreen } from '../signin/SignInScreen.tsx';
import { SignedIn } from './SignedIn.tsx';
import { useSession } from './useSession.ts';

/** The console: sign-in until there is a session, then the signed-in shell. */
export function App() {
  const [locale, setLocale] = useState<Locale>(DEFAULT_LOCALE);
  const i18n = useMemo<I18n>(() => ({ locale, t: catalogues[locale], setLocale }), [locale]);
  const session = useSession();
  const toggleLanguage = () => setLocale((l) => (l === 'nl' ? 'en' : 'nl'));

  const signedIn = session.state.kind === 'signed-in';
  useEffect(() => {
    document.documentElement.lang = locale;
    // Signed in, the workspace keeps the title, with its count of waiting and unread items.
    if (!signedIn) document.title = i18n.t.app.title;
  }, [locale, i18n, signedIn]);

  let screen: JSX.Element;
  if (session.state.kind === 'loading') {
    screen = (
      <main id="main" class="loading">
        <p role="status">{i18n.t.app.loading}</p>
      </main>
    );
  } else if (session.state.kind === 'signed-out') {
    screen = (
      <SignInScreen
        notice={session.state.notice}
        onSubmit={session.signIn}
        onToggleLanguage={toggleLanguage}
      />
    );
  } else {
    // Keyed by operator: nothing of one operator's workspace survives into another's.
    screen = (
      <SignedIn
        key={session.state.operator.id}
        operator={session.state.operator}
        onSignOut={session.signOut}
        onSignIn={session.signIn}
        onExpired={session.expire}
        onAccountChanged={session.update}
        onToggleLanguage={toggleLanguage}
      />
    );
  }
  return <I18nContext.Provider value={i18n}>{screen}</I18nContext.Provider>;
}
