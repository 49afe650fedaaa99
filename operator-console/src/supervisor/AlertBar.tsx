import type { SupervisorAlert } from '@stille-lijn/shared';
import { useI18n } from '../i18n/index.ts';
import { formatClock } from '../lib/time.ts';
import { alertKey, alertText } from './alertText.ts';

interface AlertBarProps {
  alerts: readonly SupervisorAlert[];
  /** How many of `alerts`, from the newest, are still unseen. */
  unseen: number;
  onOpen(alert: SupervisorAlert): void;
  onSeen(): void;
}

/**
 * Supervisors' alerts, on every view until marked as seen. Acute danger is read out at
 * once (an assertive live region, present from sign-in so the first alert is heard);
 * a failed report goes through the polite status line.
 */
export function AlertBar({ alerts, unseen, onOpen, onSeen }: AlertBarProps) {
  const { t } = useI18n();
  const shown = alerts.slice(0, unseen);
  const newest = shown[0];
  const shout = newest?.kind === 'acute-danger' ? newest : undefined;

  return (
    <>
      <div class="sr-only" aria-live="assertive" aria-atomic="true" data-sl="alert-live">
        {shout && <p key={alertKey(shout)}>{alertText(t, shout)}</p>}
      </div>
      {shown.length > 0 && (
        <section class="alert-bar" aria-labelledby="alert-bar-heading" data-sl="alert-bar">
          <h2 id="alert-bar-heading" class="alert-bar-heading">
            {t.supervisor.alertBar.heading(shown.length)}
          </h2>
          <ul>
            {shown.map((a) => (
              <li key={alertKey(a)} class={`alert alert-${a.kind}`} data-sl="alert" data-kind={a.kind}>
                <time dateTime={a.at}>{formatClock(a.at, t.locale)}</time> <strong>{alertText(t, a)}</strong>{' '}
                <button type="button" class="small" data-sl="alert-open" onClick={() => onOpen(a)}>
                  {a.kind === 'acute-danger' && a.conversationId !== undefined
                    ? t.supervisor.alertBar.monitor
                    : t.supervisor.alertBar.view}
                </button>
              </li>
            ))}
          </ul>
          <button type="button" data-sl="alerts-seen" onClick={onSeen}>
            {t.supervisor.alertBar.seen}
          </button>
        </section>
      )}
    </>
  );
}
