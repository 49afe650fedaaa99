import type { SupervisorAlert } from '@stille-lijn/shared';
import { useI18n } from '../i18n/index.ts';
import { formatClock } from '../lib/time.ts';
import { StatsPanel } from './StatsPanel.tsx';
import { useStats } from './useStats.ts';

interface SupervisorScreenProps {
  alerts: readonly SupervisorAlert[];
  onUnauthorized(): void;
}

/** Supervisors' view. For now: the live figures and this session's alerts; more comes later. */
export function SupervisorScreen({ alerts, onUnauthorized }: SupervisorScreenProps) {
  const { t } = useI18n();
  const { state, refresh } = useStats(onUnauthorized);
  return (
    <div class="screen supervisor">
      <h1>{t.supervisor.heading}</h1>
      <StatsPanel state={state} onRefresh={refresh} />
      <section class="alerts panel" aria-labelledby="alerts-heading">
        <h2 id="alerts-heading">{t.supervisor.alertsHeading}</h2>
        {alerts.length === 0 ? (
          <p class="muted">{t.supervisor.noAlerts}</p>
        ) : (
          <ul data-sl="alerts">
            {alerts.map((a) => (
              <li key={`${a.kind}-${a.at}-${a.conversationId ?? a.reportId ?? ''}`} data-kind={a.kind}>
                <time dateTime={a.at}>{formatClock(a.at, t.locale)}</time>{' '}
                {a.kind === 'acute-danger'
                  ? t.announce.alertAcute(a.operatorName ?? t.announce.someone)
                  : t.announce.alertReportFailed}
              </li>
            ))}
          </ul>
        )}
      </section>
      <p class="muted">{t.supervisor.later}</p>
    </div>
  );
}
