import { useState } from 'preact/hooks';
import type { Catalogue, Language } from '../i18n.ts';
import type { ChatSession, ChatState } from '../session.ts';
import { FailedWithNumbers, ScreenHeading } from './parts.tsx';

interface Props {
  t: Catalogue;
  session: ChatSession;
  state: ChatState;
  lang: Language;
  onBack: () => void;
}

/** Without `retryAfterSeconds`: the longest the server makes a right code wait. */
const RETRY_UNKNOWN_S = 60;

/** "I have a return code": back into a conversation after a quick exit. */
export function ReturnScreen({ t, session, state, lang, onBack }: Props) {
  const [code, setCode] = useState('');
  const busy = state.phase === 'starting';
  const submit = (event: Event) => {
    event.preventDefault();
    if (!busy && code.trim()) session.resumeWithCode(code, lang);
  };
  return (
    <form class="sl-screen" onSubmit={submit} autocomplete="off" noValidate>
      <ScreenHeading text={t.returnTitle} focus />
      <label class="sl-field">
        <span>{t.returnLabel}</span>
        <input
          type="text"
          data-sl="return-code-input"
          autocomplete="off"
          // Nothing for the keyboard to learn or suggest: a remembered code is a revealed one.
          // Spelled so that Preact sets the attribute: it would set the boolean `autocorrect`
          // property (Chromium, Safari) to the truthy string "off", which turns it on.
          autoCorrect="off"
          autocapitalize="characters"
          spellcheck={false}
          maxLength={40}
          aria-describedby="sl-return-help"
          value={code}
          onInput={(e) => setCode(e.currentTarget.value)}
        />
      </label>
      <p id="sl-return-help" class="sl-hint">
        {t.returnHelp}
      </p>
      <button type="submit" class="sl-primary" data-sl="resume" aria-disabled={busy}>
        {busy ? t.starting : t.resume}
      </button>
      {state.failure === 'return-code' && (
        // A code that does not work, or no connection to try it (the same failure here).
        <FailedWithNumbers t={t} sl="return-failed" text={t.returnFailed} />
      )}
      {state.failure === 'return-throttled' && (
        // Too many codes tried from here: she waits, with the numbers meanwhile.
        <FailedWithNumbers
          t={t}
          text={t.returnThrottled(state.retryAfterSeconds ?? RETRY_UNKNOWN_S)}
          alert={{
            'data-sl': 'return-refused',
            'data-retry-after': state.retryAfterSeconds ?? RETRY_UNKNOWN_S,
          }}
        />
      )}
      <button type="button" class="sl-link" onClick={onBack}>
        {t.back}
      </button>
    </form>
  );
}
