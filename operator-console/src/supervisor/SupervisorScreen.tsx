import { useEffect, useState } from 'preact/hooks';
import { fetchStats } from '../api/http.ts';
import { fetchOverviewWithShift } from '../api/shift.ts';
import { useI18n } from '../i18n/index.ts';
import { formatClock } from '../lib/time.ts';
import { usePolled } from '../lib/usePolled.ts';
import type { WorkspaceCommands } from '../state/useWorkspace.ts';
import type { WorkspaceState } from '../state/workspace.ts';
import { AuditPanel } from './AuditPanel.tsx';
import { alertKey, alertText } from './alertText.ts';
import { BlocksPanel } from './BlocksPanel.tsx';
import { DailyChart } from './DailyChart.tsx';
import { MonitorPanel } from './MonitorPanel.tsx';
import { OverviewPanel } from './OverviewPanel.tsx';
import { ReassignForm, type ReassignTarget } from './ReassignForm.tsx';
import { ReportsPanel } from './ReportsPanel.tsx';
import { STATS_REFRESH_MS, StatsPanel } from './StatsPanel.tsx';
import { UrgentWaiting } from './UrgentWaiting.tsx';

/** How often the overview of conversations and operators refreshes. @default 5000 */
export const OVERVIEW_REFRESH_MS = 5000;

interface SupervisorScreenProps {
  state: WorkspaceState;
  commands: WorkspaceCommands;
  onUnauthorized(): void;
}

/**
 * Supervisors' view: the live figures, who holds which conversation, reading along
 * (read-only, audited), reassigning, alerts, the reports to Veilig Thuis, and the blocks.
 */
export function SupervisorScreen({ state, commands, onUnauthorized }: SupervisorScreenProps) {
  const { t } = useI18n();
  const stats = usePolled(fetchStats, STATS_REFRESH_MS, onUnauthorized);
  const overview = usePolled(fetchOverviewWithShift, OVERVIEW_REFRESH_MS, onUnauthorized);
  const [reassigningId, setReassigningId] = useState<string | undefined>(undefined);
  const monitor = state.monitor;
  const data = overview.state.kind === 'loading' ? undefined : overview.state.data;

  // A change in the waiting list moves the figures: refresh at once rather than on the next tick.
  const { refresh: refreshStats } = stats;
  const { refresh: refreshOverview } = overview;
  useEffect(() => {
    refreshStats();
    refreshOverview();
  }, [state.queue, refreshStats, refreshOverview]);

  // Reading along ends when the supervisor leaves this view.
  useEffect(() => () => void commands.unmonitor(), [commands]);

  const active = data?.conversations.find((c) => c.conversationId === reassigningId);
  const queued = state.queue.find((w) => w.conversationId === reassigningId);
  const reassigning: ReassignTarget | undefined = active
    ? { conversationId: active.conversationId, operatorId: active.operatorId, waiting: false }
    : queued
      ? { conversationId: queued.conversationId, waiting: true }
      : undefined;
  const monitorActive =
    monitor === undefined || data === undefined
      ? undefined
      : data.conversations.some((c) => c.conversationId === monitor.conversationId);
  const monitorReports = monitor
    ? Object.values(state.reports).filter((r) => r.conversationId === monitor.conversationId)
    : [];

  const reassignForm = reassigning && data && (
    <ReassignForm
      key={reassigning.conversationId}
      conversation={reassigning}
      operators={data.operators}
      onReassign={(to) => commands.reassign({ conversationId: reassigning.conversationId, to })}
      onDone={() => {
        setReassigningId(undefined);
        refreshOverview();
        refreshStats();
      }}
      onCancel={() => setReassigningId(undefined)}
    />
  );

  return (
    <div class="screen supervisor">
      <h1>{t.supervisor.heading}</h1>
      <UrgentWaiting
        waiting={state.queue}
        alerts={state.alerts}
        onAssign={(id) => setReassigningId(reassigningId === id ? undefined : id)}
      />
      <div class="supervisor-top">
        <StatsPanel state={stats.state} onRefresh={stats.refresh} />
        <section class="alerts panel" aria-labelledby="alerts-heading">
          <h2 id="alerts-heading">{t.supervisor.alertsHeading}</h2>
          {state.alerts.length === 0 ? (
            <p class="muted">{t.supervisor.noAlerts}</p>
          ) : (
            <ul data-sl="alerts" class="alert-history">
              {state.alerts.map((a) => (
                <li key={alertKey(a)} data-kind={a.kind}>
                  <time dateTime={a.at}>{formatClock(a.at, t.locale)}</time> {alertText(t, a)}{' '}
                  {a.conversationId !== undefined && a.kind === 'acute-danger' && (
                    <button
                      type="button"
                      class="small"
                      onClick={() => void commands.monitor(a.conversationId ?? '')}
                    >
                      {t.supervisor.alertBar.monitor}
                    </button>
                  )}
                </li>
              ))}
            </ul>
          )}
        </section>
      </div>
      <DailyChart onUnauthorized={onUnauthorized} />
      <OverviewPanel
        state={overview.state}
        waiting={state.queue}
        monitoringId={monitor?.conversationId}
        reassigningId={reassigningId}
        onMonitor={(id) => void commands.monitor(id)}
        onReassign={(id) => setReassigningId(reassigningId === id ? undefined : id)}
        onRefresh={() => {
          refreshOverview();
          refreshStats();
        }}
      />
      {/* The reassign form sits next to where it was asked for: the overview, or the conversation being read. */}
      {monitor?.conversationId !== reassigningId && reassignForm}
      {monitor && (
        <MonitorPanel
          key={monitor.conversationId}
          monitor={monitor}
          active={monitorActive}
          reports={monitorReports}
          onReportStatus={commands.reportStatus}
          onReassign={() => setReassigningId(monitor.conversationId)}
          onStop={() => void commands.unmonitor()}
        />
      )}
      {monitor?.conversationId === reassigningId && reassignForm}
      <ReportsPanel
        reports={state.reports}
        onReportStatus={commands.reportStatus}
        onUnauthorized={onUnauthorized}
      />
      <BlocksPanel onUnauthorized={onUnauthorized} />
      <AuditPanel onUnauthorized={onUnauthorized} />
    </div>
  );
}
