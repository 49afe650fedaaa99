import { violenceKinds } from '@stille-lijn/shared';
import type { ReportStatus } from '@stille-lijn/shared/domain/report';
import { useEffect } from 'preact/hooks';
import { fetchConversationReports } from '../api/reports.ts';
import { MessageList } from '../conversations/MessageList.tsx';
import { ReturnCodeWarning } from '../conversations/ReturnCodeWarning.tsx';
import { useI18n } from '../i18n/index.ts';
import { formatClock } from '../lib/time.ts';
import { ReportStatusBadge, regionLabel } from '../report/ReportStatusBadge.tsx';
import type { MonitorState } from '../state/workspace.ts';
import { shortRef } from './OverviewPanel.tsx';

interface MonitorPanelProps {
  monitor: MonitorState;
  /** Whether the overview still lists it as active; undefined until the overview has loaded. */
  active: boolean | undefined;
  reports: readonly ReportStatus[];
  onReportStatus(status: ReportStatus): void;
  onReassign(): void;
  onStop(): void;
}

/**
 * Reading along with a conversation: messages both ways as they happen, its notes, tags,
 * risk and acute danger. Read-only: there is no composer, and nothing here reaches the
 * visitor. The holding operator sees that a supervisor is reading along; the supervisor
 * sees the holder's warning once someone has come back with the return code.
 */
export function MonitorPanel({
  monitor,
  active,
  reports,
  onReportStatus,
  onReassign,
  onStop,
}: MonitorPanelProps) {
  const { t } = useI18n();
  const m = t.supervisor.monitor;
  const c = monitor.conversation;
  const ref = shortRef(monitor.conversationId);
  const tags = violenceKinds.filter((k) => c?.tags.includes(k));

  useEffect(() => {
    document.getElementById('monitor-heading')?.focus();
    let alive = true;
    void fetchConversationReports(monitor.conversationId).then((res) => {
      if (alive && res.ok) for (const r of res.data) onReportStatus(r);
    });
    return () => {
      alive = false;
    };
  }, [monitor.conversationId, onReportStatus]);

  return (
    <section
      class="monitor panel card"
      aria-labelledby="monitor-heading"
      data-sl="monitor-panel"
      data-conversation-id={monitor.conversationId}
      data-status={monitor.status}
    >
      <header class="monitor-header">
        <h2 id="monitor-heading" tabIndex={-1}>
          {c ? m.heading(ref, t.visitorRoles[c.role], t.languages[c.language]) : m.headingLoading(ref)}{' '}
          <span class="badge badge-readonly" data-sl="monitor-readonly">
            {m.readOnly}
          </span>
        </h2>
        <div class="buttons">
          <button type="button" data-sl="reassign-open" onClick={onReassign} disabled={active === false}>
            {t.supervisor.overview.reassign}
          </button>
          <button type="button" data-sl="unmonitor" onClick={onStop}>
            {m.stop}
          </button>
        </div>
      </header>
      <p class="hint">{m.intro}</p>
      {/* Present from the start, so that a return by code while reading along is announced. */}
      <div role="status" class="status-slot">
        {c && monitor.returnCodeUsedAt !== undefined && (
          <ReturnCodeWarning at={monitor.returnCodeUsedAt} hook="monitor-return-code-used" />
        )}
      </div>
      {monitor.status === 'loading' && <p role="status">{t.app.loading}</p>}
      {monitor.status === 'failed' && (
        <p class="error" role="alert" data-sl="monitor-error">
          {monitor.failure === 'not-found'
            ? m.notFound
            : monitor.failure === 'forbidden'
              ? m.forbidden
              : monitor.failure === 'limited'
                ? m.limited
                : m.failed}
        </p>
      )}
      {c && (
        <>
          {active === false && <p class="banner banner-ended">{m.notActive}</p>}
          <dl class="monitor-facts">
            <dt>{t.supervisor.overview.operator}</dt>
            <dd data-sl="monitor-operator">{c.operatorName ?? t.supervisor.overview.unknownOperator}</dd>
            <dt>{m.tags}</dt>
            <dd>{tags.length === 0 ? m.none : tags.map((k) => t.tags.kinds[k]).join(', ')}</dd>
            <dt>{m.risk}</dt>
            <dd>{c.risk ? `${t.risk.levels[c.risk.level]} · ${t.risk.score(c.risk.score)}` : m.noRisk}</dd>
            {c.acute && (
              <>
                <dt>{t.supervisor.overview.acute}</dt>
                <dd class="acute-facts">
                  {m.acuteAt(formatClock(c.acute.at, t.locale))}
                  {c.acute.location !== undefined && ` ${m.acuteLocation(c.acute.location)}`}{' '}
                  {
                    m.acuteConsent[
                      c.acute.consentToCall112 === undefined
                        ? 'unknown'
                        : c.acute.consentToCall112
                          ? 'yes'
                          : 'no'
                    ]
                  }
                </dd>
              </>
            )}
          </dl>
          <MessageList messages={monitor.messages} fromLabels={m.from} />
          <section class="private monitor-notes" aria-labelledby="monitor-notes-heading">
            <h3 id="monitor-notes-heading">
              {t.notes.heading} <span class="badge badge-private">{t.notes.private}</span>
            </h3>
            {monitor.notes.length === 0 ? (
              <p class="muted">{t.notes.empty}</p>
            ) : (
              <ul class="note-list">
                {monitor.notes.map((n) => (
                  <li key={n.noteId}>
                    <p class="note-meta">
                      <time dateTime={n.at}>{formatClock(n.at, t.locale)}</time>
                    </p>
                    <p class="note-text">{n.text}</p>
                  </li>
                ))}
              </ul>
            )}
          </section>
          {reports.length > 0 && (
            <section aria-labelledby="monitor-reports-heading">
              <h3 id="monitor-reports-heading">{t.supervisor.reports.heading}</h3>
              <ul class="report-list">
                {reports.map((r) => (
                  <li key={r.reportId}>
                    {regionLabel(r.region)} <ReportStatusBadge report={r} />
                  </li>
                ))}
              </ul>
            </section>
          )}
        </>
      )}
    </section>
  );
}
