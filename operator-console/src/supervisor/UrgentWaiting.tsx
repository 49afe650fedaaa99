import type { SupervisorAlert, WaitingItem } from '@stille-lijn/shared';
import { useI18n } from '../i18n/index.ts';
import { formatDuration, secondsSince } from '../lib/time.ts';
import { useNow } from '../lib/useNow.ts';
import { shortRef } from './OverviewPanel.tsx';

interface UrgentWaitingProps {
  /** The waiting list, live from the socket. */
  waiting: readonly WaitingItem[];
  /** Recent alerts; `urgent-waiting` ones name conversations the list may not show (yet). */
  alerts: readonly SupervisorAlert[];
  onAssign(conversationId: string): void;
}

interface UrgentRow {
  conversationId: string;
  waitedSeconds: number;
  /** How many `urgent-waiting` alerts it raised so far (this console heard). */
  alerts: number;
}

/**
 * Urgent conversations still waiting, longest wait first. The snapshot says who waits (an
 * alert of a conversation since assigned or ended is history); the alerts add how often
 * supervisors were called for it.
 */
export function urgentRows(
  waiting: readonly WaitingItem[],
  alerts: readonly SupervisorAlert[],
  now: number,
): UrgentRow[] {
  const alerted = new Map<string, { count: number; waited: number }>();
  for (const a of alerts) {
    if (a.kind !== 'urgent-waiting' || a.conversationId === undefined) continue;
    const known = alerted.get(a.conversationId) ?? { count: 0, waited: 0 };
    // The server's count of the wait, carried forward: never less than it said.
    const waited = (a.waitedSeconds ?? 0) + secondsSince(a.at, now);
    alerted.set(a.conversationId, { count: known.count + 1, waited: Math.max(known.waited, waited) });
  }
  return waiting
    .filter((w) => w.urgent)
    .map((w) => {
      const alert = alerted.get(w.conversationId);
      return {
        conversationId: w.conversationId,
        waitedSeconds: Math.max(secondsSince(w.waitingSince, now), alert?.waited ?? 0),
        alerts: alert?.count ?? 0,
      };
    })
    .sort((x, y) => y.waitedSeconds - x.waitedSeconds);
}

export function UrgentWaiting({ waiting, alerts, onAssign }: UrgentWaitingProps) {
  const { t } = useI18n();
  const now = useNow(1000);
  const rows = urgentRows(waiting, alerts, now);
  return (
    <section class="urgent-waiting panel" aria-labelledby="urgent-heading" data-sl="urgent-waiting">
      <h2 id="urgent-heading">{t.shift.urgentHeading}</h2>
      {rows.length === 0 ? (
        <p class="muted">{t.shift.urgentNone}</p>
      ) : (
        <ul>
          {rows.map((r) => {
            const ref = shortRef(r.conversationId);
            return (
              <li
                key={r.conversationId}
                class="is-urgent"
                data-sl="urgent-waiting-item"
                data-conversation-id={r.conversationId}
                data-waited={r.waitedSeconds}
                data-alerts={r.alerts}
              >
                <span class="ref">{ref}</span> <span class="badge badge-urgent">{t.conversation.urgent}</span>{' '}
                <strong>{t.shift.urgentWaited(formatDuration(r.waitedSeconds))}</strong>{' '}
                <button
                  type="button"
                  class="small"
                  aria-label={t.supervisor.overview.assignLabel(ref)}
                  onClick={() => onAssign(r.conversationId)}
                >
                  {t.supervisor.overview.assign}
                </button>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
