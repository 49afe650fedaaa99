import { useEffect, useRef, useState } from 'preact/hooks';
import type { AppConfig } from '../config.ts';
import { catalogueFor, type Language, loadCatalogue } from '../i18n.ts';
import { loadedLive } from '../live-loader.ts';
import type { ChatSession } from '../session.ts';
import { ReturnScreen } from './ReturnScreen.tsx';
import { StartScreen } from './StartScreen.tsx';
import { useSession } from './use-session.ts';

interface Props {
  config: AppConfig;
  session: ChatSession;
  initialLanguage: Language;
  /** Set when the app runs in the loader's iframe: hides the panel. */
  onMinimize: (() => void) | undefined;
  onQuickExit: () => void;
  onLanguage: (lang: Language) => void;
}

export function App({ config, session, initialLanguage, onMinimize, onQuickExit, onLanguage }: Props) {
  const state = useSession(session);
  const [lang, setLang] = useState(initialLanguage);
  const [view, setView] = useState<'start' | 'return'>('start');
  // A language whose catalogue could not be fetched: the screen stays in the current one and says so.
  const [languageFailed, setLanguageFailed] = useState(false);
  const wantedLanguage = useRef(initialLanguage);
  // Screens take focus only after the visitor has moved on from the first one.
  const moved = useRef(false);
  const t = catalogueFor(lang);
  // The conversation screen comes with the conversation's chunk, which any conversation needed to start.
  const live = loadedLive();

  useEffect(() => {
    document.documentElement.lang = lang;
    document.documentElement.dir = t.dir;
    onLanguage(lang);
  }, [lang]);

  const inConversation = state.phase === 'waiting' || state.phase === 'active' || state.phase === 'ended';
  useEffect(() => {
    if (inConversation) setView('start');
  }, [inConversation]);
  /** Switches once the catalogue is here (usually at once: they are fetched after the first screen). */
  const chooseLanguage = (next: Language) => {
    wantedLanguage.current = next;
    setLanguageFailed(false);
    loadCatalogue(next).then(
      () => wantedLanguage.current === next && setLang(next),
      () => wantedLanguage.current === next && setLanguageFailed(true),
    );
  };
  const go = (next: 'start' | 'return') => {
    moved.current = true;
    setView(next);
  };
  if (inConversation || state.cleared) moved.current = true;

  return (
    <div class="sl-app">
      <header class="sl-bar">
        <button type="button" class="sl-exit" data-sl="quick-exit" onClick={onQuickExit}>
          {t.quickExit}
        </button>
        <button
          type="button"
          class="sl-skip"
          onClick={() => document.querySelector<HTMLElement>('main h1, main [data-sl=composer]')?.focus()}
        >
          {t.skipToChat}
        </button>
        {config.line && (
          <span class="sl-line-name" data-sl="line-name">
            {config.line.name}
          </span>
        )}
        {onMinimize && (
          <button
            type="button"
            class="sl-secondary"
            onClick={() => {
              session.hideClearedNotice();
              onMinimize();
            }}
          >
            {t.hide}
          </button>
        )}
      </header>
      <main class="sl-main" aria-label={t.frameTitle}>
        {inConversation && live ? (
          <live.ConversationScreen t={t} config={config} session={session} state={state} />
        ) : view === 'return' ? (
          <ReturnScreen t={t} session={session} state={state} lang={lang} onBack={() => go('start')} />
        ) : (
          <StartScreen
            t={t}
            line={config.line}
            lang={lang}
            onLanguage={chooseLanguage}
            languageFailed={languageFailed}
            session={session}
            state={state}
            onReturnCode={() => go('return')}
            focusHeading={moved.current}
          />
        )}
      </main>
    </div>
  );
}
