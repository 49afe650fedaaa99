import {
  type RiskAnswer,
  type RiskAnswers,
  type RiskItemId,
  type RiskLevel,
  type RiskOverride,
  riskItems,
  riskLevels,
  riskOverrideSchema,
  scoreRisk,
} from '@stille-lijn/shared/domain/risk';
import { useState } from 'preact/hooks';
import { useI18n } from '../i18n/index.ts';
import { SyncStatus } from '../lib/SyncStatus.tsx';
import type { SyncState } from '../state/workspace.ts';

interface RiskPanelProps {
  answers: RiskAnswers;
  override: RiskOverride | undefined;
  sync: SyncState | undefined;
  onAnswer(itemId: RiskItemId, answer: RiskAnswer | undefined): void;
  onOverride(override: RiskOverride | undefined): void;
  onSave(): void;
}

const answerValues = ['yes', 'no', 'unknown'] as const satisfies readonly RiskAnswer[];

/**
 * The risk checklist with its live outcome. Pressing a chosen answer again clears it;
 * the list may stay incomplete. The level can be overridden with a written reason.
 */
export function RiskPanel({ answers, override, sync, onAnswer, onOverride, onSave }: RiskPanelProps) {
  const { t, locale } = useI18n();
  const computed = scoreRisk(answers);
  const result = override ? scoreRisk(answers, override) : computed;
  const answered = riskItems.filter((i) => answers[i.id] !== undefined).length;
  const itemText = new Map(riskItems.map((i) => [i.id as string, i.text[locale]]));

  return (
    <section class="risk panel" aria-labelledby="risk-heading">
      <h3 id="risk-heading">{t.risk.heading}</h3>
      <p class="hint">{t.risk.intro}</p>
      <div class={`risk-summary level-${result.level}`} role="status">
        <p>
          {t.risk.level}:{' '}
          <strong data-sl="risk-level" data-level={result.level} data-score={result.score}>
            {t.risk.levels[result.level]}
          </strong>
          {override && ` (${t.risk.computedLevel(t.risk.levels[computed.level])})`}
        </p>
        <p>
          {t.risk.score(result.score)} · {t.risk.answered(answered, riskItems.length)}
        </p>
        <p data-sl="risk-red-flags">
          {t.risk.redFlags}:{' '}
          {result.redFlags.length === 0
            ? t.risk.noRedFlags
            : result.redFlags.map((id) => itemText.get(id) ?? id).join(' · ')}
        </p>
      </div>
      <ol class="checklist">
        {riskItems.map((item, index) => {
          const answer = answers[item.id];
          return (
            <li
              key={item.id}
              class={`checklist-item${item.redFlag ? ' is-red-flag' : ''}${answer === 'yes' ? ' is-yes' : ''}`}
              data-sl="checklist-item"
              data-item-id={item.id}
              data-answer={answer}
              data-red-flag={String(item.redFlag)}
            >
              <fieldset class="answers-group">
                <legend>
                  <span class="checklist-number">{index + 1}.</span> {item.text[locale]}
                  {item.redFlag && (
                    <>
                      {' '}
                      <span class="badge badge-red-flag">{t.risk.redFlag}</span>
                    </>
                  )}
                </legend>
                <div class="answers">
                  {answerValues.map((value) => (
                    <button
                      key={value}
                      type="button"
                      class={`answer answer-${value}`}
                      data-sl={`answer-${value}`}
                      aria-pressed={answer === value}
                      onClick={() => onAnswer(item.id, answer === value ? undefined : value)}
                    >
                      {t.risk.answers[value]}
                    </button>
                  ))}
                </div>
              </fieldset>
            </li>
          );
        })}
      </ol>
      <OverrideForm override={override} onOverride={onOverride} />
      <div class="buttons">
        <button type="button" class="primary" data-sl="risk-save" onClick={onSave}>
          {t.risk.save}
        </button>
      </div>
      <SyncStatus state={sync} />
    </section>
  );
}

function OverrideForm({
  override,
  onOverride,
}: {
  override: RiskOverride | undefined;
  onOverride(override: RiskOverride | undefined): void;
}) {
  const { t } = useI18n();
  const [level, setLevel] = useState<RiskLevel | ''>(override?.level ?? '');
  const [reason, setReason] = useState(override?.reason ?? '');
  const [error, setError] = useState(false);

  const remove = () => {
    setLevel('');
    setReason('');
    setError(false);
    onOverride(undefined);
  };

  const apply = (e: Event) => {
    e.preventDefault();
    if (level === '') return remove();
    const parsed = riskOverrideSchema.safeParse({ level, reason });
    if (!parsed.success) {
      setError(true);
      return;
    }
    setError(false);
    onOverride(parsed.data);
  };

  return (
    <form class="risk-override" aria-labelledby="risk-override-heading" onSubmit={apply} noValidate>
      <h4 id="risk-override-heading">{t.risk.overrideHeading}</h4>
      {override && (
        <p class="override-current" data-sl="risk-override">
          {t.risk.overridden(t.risk.levels[override.level], override.reason)}
        </p>
      )}
      <div class="field">
        <label for="risk-override-level">{t.risk.overrideLevel}</label>
        <select
          id="risk-override-level"
          data-sl="risk-override-level"
          value={level}
          onChange={(e) => setLevel(e.currentTarget.value as RiskLevel | '')}
        >
          <option value="">{t.risk.overrideNone}</option>
          {riskLevels.map((l) => (
            <option key={l} value={l}>
              {t.risk.levels[l]}
            </option>
          ))}
        </select>
      </div>
      <div class="field">
        <label for="risk-override-reason">{t.risk.overrideReason}</label>
        <textarea
          id="risk-override-reason"
          data-sl="risk-override-reason"
          rows={2}
          autocomplete="off"
          aria-invalid={error}
          aria-describedby={error ? 'risk-override-error' : undefined}
          value={reason}
          onInput={(e) => setReason(e.currentTarget.value)}
        />
      </div>
      <div role="alert" class="error-slot">
        {error && (
          <p id="risk-override-error" class="error" data-sl="risk-override-error">
            {t.risk.overrideNeedsReason}
          </p>
        )}
      </div>
      <div class="buttons">
        <button type="submit" data-sl="risk-override-apply">
          {t.risk.overrideApply}
        </button>
        {override && (
          <button type="button" data-sl="risk-override-remove" onClick={remove}>
            {t.risk.overrideRemove}
          </button>
        )}
      </div>
    </form>
  );
}
