import type { PublicLine } from '@stille-lijn/shared/domain/lines';
import type { VisitorRole } from '@stille-lijn/shared/protocol';
import { useRef, useState } from 'preact/hooks';
import { MAX_TEXT } from '../config.ts';
import { weekHours } from '../hours.ts';
import { appLanguages, type Catalogue, type Language, languageName } from '../i18n.ts';
import type { ChatSession, ChatState } from '../session.ts';
import { Alternatives, DangerNotice, FailedWithNumbers, ScreenHeading } from './parts.tsx';

const roles: { role: VisitorRole; label: keyof Catalogue }[] = [
  { role: 'victim', label: 'roleVictim' },
  { role: 'concerned', label: 'roleConcerned' },
  { role: 'bystander', label: 'roleBystander' },
  { role: 'professional', label: 'roleProfessional' },
];

interface Props {
  t: Catalogue;
  /** The page's line; undefined when the server did not say (then it is treated as open). */
  line: PublicLine | undefined;
  lang: Language;
  onLanguage: (lang: Language) => void;
  /** The chosen language's catalogue could not be fetched. */
  languageFailed: boolean;
  session: ChatSession;
  state: ChatState;
  onReturnCode: () => void;
  focusHeading: boolean;
}

export function StartScreen({
  t,
  line,
  lang,
  onLanguage,
  languageFailed,
  session,
  state,
  onReturnCode,
  focusHeading,
}: Props) {
  const [role, setRole] = useState<VisitorRole | undefined>(undefined);
  const [urgent, setUrgent] = useState(false);
  const [text, setText] = useState('');
  const [roleMissing, setRoleMissing] = useState(false);
  const firstRole = useRef<HTMLInputElement>(null);
  const busy = state.phase === 'starting';
  // Closed when the page was served, or when the server said so at the start.
  const closed = (line !== undefined && !line.open) || state.failure === 'line-closed';

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
          {state.endPending ? t.clearedPending : t.cleared}
        </p>
      )}
      <ScreenHeading text={closed ? t.closedTitle : t.heading} focus={focusHeading} />
      {!closed && <p>{t.intro}</p>}

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
              {languageName(code)}
            </option>
          ))}
        </select>
      </label>
      {languageFailed && (
        <p class="sl-error" role="alert" data-sl="language-failed">
          {t.startFailed}
        </p>
      )}

      {closed ? (
        <Closed t={t} line={line} lang={lang} />
      ) : (
        <>
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
              // The victim's words never go to a cloud spellchecker (autocorrect stays: phones).
              spellcheck={false}
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
            // No connection, no answer, or a refusal without a known reason: Start above
            // tries again, and the numbers are there meanwhile.
            <FailedWithNumbers t={t} sl="start-failed" text={t.startFailed} />
          )}
          {(state.failure === 'open-limit' ||
            state.failure === 'blocked' ||
            state.failure === 'line-full') && (
            <StartRefused t={t} reason={state.failure} onReturnCode={onReturnCode} />
          )}
        </>
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
 * The server would not open a conversation: too many open from this address, the address
 * is blocked, or the chat is full for now (`line_full`). Never a bare error: the phone numbers are always there, and with
 * the open limit the way back into an existing conversation comes first.
 */
function StartRefused({
  t,
  reason,
  onReturnCode,
}: {
  t: Catalogue;
  /** `line-full` says what `blocked` says: no chat now, call instead. */
  reason: 'open-limit' | 'blocked' | 'line-full';
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

/**
 * A closed line without an open overflow: its hours, in the visitor's language and in
 * Amsterdam time (said so), and the numbers that are always there, instead of a start.
 */
function Closed({ t, line, lang }: { t: Catalogue; line: PublicLine | undefined; lang: Language }) {
  const week = line ? weekHours(line.hours, lang) : undefined;
  const tz = line && line.hours !== '24/7' ? line.hours.tz : 'Europe/Amsterdam';
  return (
    <section
      class="sl-closed"
      data-sl="closed"
      aria-labelledby={week ? 'sl-closed-hours' : undefined}
      aria-label={week ? undefined : t.closedTitle}
    >
      <p role="status">{t.closedText}</p>
      {week && (
        <>
          <h2 id="sl-closed-hours">{t.openingHours}</h2>
          <dl class="sl-hours">
            {week.map(({ day, name, windows }) => (
              <div key={day}>
                <dt>{name}</dt>
                <dd>{windows.length === 0 ? t.closedDay : <bdi dir="ltr">{windows.join(', ')}</bdi>}</dd>
              </div>
            ))}
          </dl>
          <p class="sl-hint">{t.hoursZone(tz)}</p>
        </>
      )}
      <Alternatives t={t} title={t.alternativesNowTitle} text={t.alternativesNowText} />
    </section>
  );
}
