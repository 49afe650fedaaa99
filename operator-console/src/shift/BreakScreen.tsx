import { useState } from 'preact/hooks';
import { useI18n } from '../i18n/index.ts';
import { formatClock } from '../lib/time.ts';

interface BreakScreenProps {
  /** When the break ends; undefined for a break the operator chose by hand. */
  breakUntil: string | undefined;
  onEnd(): Promise<boolean>;
  onDebrief(): Promise<boolean>;
}

/**
 * Shown while the operator is on a break (after a heavy conversation, or chosen): when it
 * ends, a way to end it early, and an optional request to talk to a supervisor. Open
 * conversations stay reachable below it; nothing new is assigned automatically.
 */
export function BreakScreen({ breakUntil, onEnd, onDebrief }: BreakScreenProps) {
  const { t } = useI18n();
  const [ending, setEnding] = useState(false);
  const [endFailed, setEndFailed] = useState(false);
  const [debrief, setDebrief] = useState<'idle' | 'sending' | 'sent' | 'failed'>('idle');

  return (
    <section class="break-screen panel" data-sl="break-screen" aria-labelledby="break-heading">
      <h2 id="break-heading">{t.shift.breakHeading}</h2>
      <p>{t.shift.breakIntro}</p>
      <p data-sl="break-until" data-until={breakUntil}>
        {breakUntil !== undefined ? t.shift.breakUntil(formatClock(breakUntil, t.locale)) : t.shift.breakOpen}
      </p>
      <div class="buttons">
        <button
          type="button"
          class="primary"
          data-sl="break-end"
          disabled={ending}
          onClick={async () => {
            setEnding(true);
            const ok = await onEnd();
            setEnding(false);
            setEndFailed(!ok);
          }}
        >
          {t.shift.breakEnd}
        </button>
        {debrief !== 'sent' && (
          <button
            type="button"
            data-sl="debrief-request"
            disabled={debrief === 'sending'}
            onClick={async () => {
              setDebrief('sending');
              setDebrief((await onDebrief()) ? 'sent' : 'failed');
            }}
          >
            {t.shift.debrief}
          </button>
        )}
      </div>
      {debrief === 'sent' && (
        <p role="status" data-sl="debrief-sent">
          {t.shift.debriefSent}
        </p>
      )}
      {debrief === 'failed' && (
        <p class="error" role="alert">
          {t.shift.debriefFailed}
        </p>
      )}
      {endFailed && (
        <p class="error" role="alert">
          {t.shift.endFailed}
        </p>
      )}
    </section>
  );
}
