import { useState } from 'preact/hooks';
import { type CannedResponse, cannedText } from '../canned/catalogue.ts';
import { useI18n } from '../i18n/index.ts';
import { SyncStatus } from '../lib/SyncStatus.tsx';
import type { AcuteState, SyncState } from '../state/workspace.ts';

interface AcutePanelProps {
  /** The visitor's language, for the texts put in the message field. */
  language: string;
  canned: readonly CannedResponse[];
  acute: AcuteState;
  sync: SyncState | undefined;
  onInsert(text: string): void;
  onSave(details: AcuteState): void;
}

type Consent = 'yes' | 'no' | 'unknown';
const consentOf = (v: boolean | undefined): Consent => (v === undefined ? 'unknown' : v ? 'yes' : 'no');

/**
 * The 112 script. A silent visitor cannot answer 112's spoken questions, so the
 * operator asks where they are and whether to call for them, records both, and calls.
 */
export function AcutePanel({ language, canned, acute, sync, onInsert, onSave }: AcutePanelProps) {
  const { t } = useI18n();
  const [location, setLocation] = useState(acute.location);
  const [consent, setConsent] = useState<Consent>(consentOf(acute.consentToCall112));
  const steps = [
    { id: 'location', text: t.acute.steps.location, canned: 'acute-location' },
    { id: 'consent', text: t.acute.steps.consent, canned: 'acute-consent' },
    { id: 'call', text: t.acute.steps.call, canned: 'acute-help-coming' },
  ] as const;

  const save = (e: Event) => {
    e.preventDefault();
    onSave({ location, consentToCall112: consent === 'unknown' ? undefined : consent === 'yes' });
  };

  return (
    <section class="acute card" aria-labelledby="acute-heading" data-sl="acute-panel">
      <h3 id="acute-heading" tabIndex={-1}>
        {t.acute.heading}
      </h3>
      <p>{t.acute.intro}</p>
      <ol class="acute-steps">
        {steps.map((step) => {
          const text = cannedText(canned, step.canned, language);
          return (
            <li key={step.id}>
              <span>{step.text}</span>{' '}
              {text !== undefined && (
                <button
                  type="button"
                  class="small"
                  data-sl={`acute-insert-${step.id}`}
                  onClick={() => onInsert(text)}
                >
                  {t.acute.insert}
                </button>
              )}
            </li>
          );
        })}
      </ol>
      <form onSubmit={save} class="acute-form">
        <div class="field">
          <label for="acute-location">{t.acute.location}</label>
          <input
            id="acute-location"
            data-sl="acute-location"
            autocomplete="off"
            value={location}
            onInput={(e) => setLocation(e.currentTarget.value)}
          />
        </div>
        <fieldset>
          <legend>{t.acute.consent}</legend>
          {(['yes', 'no', 'unknown'] as const).map((value) => (
            <label class="choice" key={value}>
              <input
                type="radio"
                name="acute-consent"
                value={value}
                data-sl={`acute-consent-${value}`}
                checked={consent === value}
                onChange={() => setConsent(value)}
              />
              {value === 'yes'
                ? t.acute.consentYes
                : value === 'no'
                  ? t.acute.consentNo
                  : t.acute.consentUnknown}
            </label>
          ))}
        </fieldset>
        <button type="submit" class="primary" data-sl="acute-save">
          {t.acute.save}
        </button>
        <SyncStatus state={sync} failedText={t.acute.markFailed} />
      </form>
    </section>
  );
}
