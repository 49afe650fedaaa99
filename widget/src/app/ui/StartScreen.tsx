import type { VisitorRole } from '@stille-lijn/shared/protocol';
import { useRef, useState } from 'preact/hooks';
import { MAX_TEXT } from '../config.ts';
import { appLanguages, type Catalogue, catalogueFor, type Language } from '../i18n.ts';
import type { ChatSession, ChatState } from '../session.ts';
import { Alternatives, DangerNotice, ScreenHeading } from './parts.tsx';

const roles: { role: VisitorRole; label: keyof Catalogue }[] = [
  { role: 'victim', label: 'roleVictim' },
  { role: 'concerned', label: 'roleConcerned' },
  { role: 'bystander', label: 'roleBystander' },
  { role: 'professional', label: 'roleProfessional' },
];

interface Props {
  t: Catalogue;
  lang: Language;
  onLanguage: (lang: Language) => void;
  session: ChatSession;
  state: ChatState;
  onReturnCode: () => void;
  focusHeading: boolean;
}

export function StartScreen({ t, lang, onLanguage, session, state, onReturnCode, focusHeading }: Props) {
  const [role, setRole] = useState<VisitorRole | undefined>(undefined);
  const [urgent, setUrgent] = useState(false);
  const [text, setText] = useState('');
  const [roleMissing, setRoleMissing] = useState(false);
  const firstRole = useRef<HTMLInputElement>(null);
  const busy = state.phase === 'starting';

  const submit = (event: Event) => {
    event.preventDefault();
    if (busy) return;
    if (!role) {
      setRoleMissing(true);
      firstRole.current?.focus();
      return;
    }
    session.start({ role, language: lang, urgent, text });
  };

  return (
    <form class="sl-screen" onSubmit={submit} autocomplete="off" noValidate>
      {state.cleared && (
        <p class="sl-info" role="status">
          {t.cleared}
        </p>
      )}
      <ScreenHeading text={t.heading} focus={focusHeading} />
      <p>{t.intro}</p>

      <label class="sl-field">
        <span>{t.languageLabel}</span>
        <select
          data-sl="language"
          autocomplete="off"
          value={lang}
          onChange={(e) => onLanguage(e.currentTarget.value as Language)}
        >
          {appLanguages.map((code) => (
            <option key={code} value={code} lang={code}>
              {catalogueFor(code).languageName}
            </option>
          ))}
        </select>
      </label>

      <fieldset class="sl-roles" aria-describedby={roleMissing ? 'sl-role-error' : undefined}>
        <legend>{t.whoLegend}</legend>
        {roles.map(({ role: value, label }, index) => (
          <label key={value} class="sl-choice">
            <input
              ref={index === 0 ? firstRole : null}
              type="radio"
              name="role"
              value={value}
              data-sl={`role-${value}`}
              autocomplete="off"
              checked={role === value}
              onChange={() => {
                setRole(value);
                setRoleMissing(false);
              }}
            />
            <span>{t[label] as string}</span>
          </label>
        ))}
        {roleMissing && (
          <p id="sl-role-error" class="sl-error" role="alert">
            {t.roleRequired}
          </p>
        )}
      </fieldset>

      <label class="sl-choice sl-urgent">
        <input
          type="checkbox"
          data-sl="urgent"
          autocomplete="off"
          checked={urgent}
          onChange={(e) => setUrgent(e.currentTarget.checked)}
        />
        <span>{t.urgentLabel}</span>
      </label>
      {urgent && <DangerNotice t={t} />}

      <label class="sl-field">
        <span>{t.firstMessageLabel}</span>
        <textarea
          data-sl="first-message"
          autocomplete="off"
          rows={3}
          maxLength={MAX_TEXT}
          value={text}
          onInput={(e) => setText(e.currentTarget.value)}
        />
      </label>

      <button type="submit" class="sl-primary" data-sl="start" aria-disabled={busy}>
        {busy ? t.starting : t.start}
      </button>
      {state.failure === 'start' && (
        <p class="sl-error" role="alert">
          {t.startFailed}
        </p>
      )}
      {(state.failure === 'open-limit' || state.failure === 'blocked') && (
        <StartRefused t={t} reason={state.failure} onReturnCode={onReturnCode} />
      )}

      {state.failure !== 'open-limit' && (
        <button type="button" class="sl-link" data-sl="have-return-code" onClick={onReturnCode}>
          {t.haveReturnCode}
        </button>
      )}

      <section class="sl-note" aria-labelledby="sl-exit-note">
        <h2 id="sl-exit-note">{t.exitNoticeTitle}</h2>
        <p>{t.exitNotice}</p>
      </section>
    </form>
  );
}

/**
 * The server would not open a conversation: too many open from this address, or the
 * address is blocked. Never a bare error: the phone numbers are always there, and with
 * the open limit the way back into an existing conversation comes first.
 */
function StartRefused({
  t,
  reason,
  onReturnCode,
}: {
  t: Catalogue;
  reason: 'open-limit' | 'blocked';
  onReturnCode: () => void;
}) {
  const openLimit = reason === 'open-limit';
  return (
    <section
      class="sl-refusal"
      data-sl="start-refused"
      data-reason={reason}
      aria-labelledby="sl-refused-title"
    >
      <h2 id="sl-refused-title">{openLimit ? t.openLimitTitle : t.blockedTitle}</h2>
      <p role="alert">{openLimit ? t.openLimitText : t.blockedText}</p>
      {openLimit && (
        <button type="button" class="sl-primary" data-sl="have-return-code" onClick={onReturnCode}>
          {t.haveReturnCode}
        </button>
      )}
      <Alternatives t={t} text={t.alternativesNowText} />
    </section>
  );
}
