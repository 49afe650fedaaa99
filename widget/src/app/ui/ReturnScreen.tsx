import { useState } from 'preact/hooks';
import type { Catalogue } from '../i18n.ts';
import type { ChatSession, ChatState } from '../session.ts';
import { ScreenHeading } from './parts.tsx';

interface Props {
  t: Catalogue;
  session: ChatSession;
  state: ChatState;
  onBack: () => void;
}

/** "I have a return code": back into a conversation after a quick exit. */
export function ReturnScreen({ t, session, state, onBack }: Props) {
  const [code, setCode] = useState('');
  const busy = state.phase === 'starting';
  const submit = (event: Event) => {
    event.preventDefault();
    if (!busy && code.trim()) session.resumeWithCode(code);
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
        <p class="sl-error" role="alert">
          {t.returnFailed}
        </p>
      )}
      <button type="button" class="sl-link" onClick={onBack}>
        {t.back}
      </button>
    </form>
  );
}
