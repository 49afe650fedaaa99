import type { ReportStatus } from '@stille-lijn/shared/domain/report';
import { type RiskResult, scoreRisk } from '@stille-lijn/shared/domain/risk';
import { useEffect, useRef, useState } from 'preact/hooks';
import { type ConfiguredRegion, fetchConversationReports, fetchReport, retryReport } from '../api/reports.ts';
import { useI18n } from '../i18n/index.ts';
import { formatClock } from '../lib/time.ts';
import type { ConversationEntry } from '../state/workspace.ts';
import { initialDraft, type ReportContext, type ReportDraft } from './draft.ts';
import { ReportForm } from './ReportForm.tsx';
import { ReportStatusBadge, regionLabel } from './ReportStatusBadge.tsx';

/** While a report is queued, its status is also fetched this often (the socket event may be missed). @default 10000 */
export const REPORT_STATUS_POLL_MS = 10_000;

interface ReportPanelProps {
  entry: ConversationEntry;
  label: string;
  draft: ReportDraft | undefined;
  regions: readonly ConfiguredRegion[] | undefined;
  /** This conversation's reports known to the console. */
  reports: readonly ReportStatus[];
  onDraft(draft: ReportDraft | undefined): void;
  onInsert(text: string): void;
  onReportStatus(status: ReportStatus): void;
  onClose(): void;
  onUnauthorized(): void;
}

/** What the report takes from the conversation: acute danger as the server recorded it, the checklist, the messages. */
export function reportContext(entry: ConversationEntry): ReportContext {
  let risk: RiskResult | undefined;
  if (Object.keys(entry.riskAnswers).length > 0 || entry.riskOverride) {
    try {
      risk = scoreRisk(entry.riskAnswers, entry.riskOverride);
    } catch {
      risk = undefined;
    }
  }
  return {
    acute: entry.conversation.acute !== undefined,
    risk,
    messageOrder: entry.messages.flatMap((m) => (m.messageId !== undefined ? [m.messageId] : [])),
  };
}

/**
 * "Melding Veilig Thuis" beside the conversation: earlier reports with their live
 * status, and the form. The conversation stays in view, so the operator can ask for
 * consent in the chat and read the answer while filling it in.
 */
export function ReportPanel({
  entry,
  label,
  draft,
  regions,
  reports,
  onDraft,
  onInsert,
  onReportStatus,
  onClose,
  onUnauthorized,
}: ReportPanelProps) {
  const { t } = useI18n();
  const c = entry.conversation;
  const id = c.conversationId;
  const ctx = reportContext(entry);
  const heading = useRef<HTMLHeadingElement>(null);
  const queued = reports.filter((r) => r.status === 'queued').map((r) => r.reportId);
  const queuedKey = queued.join(',');

  useEffect(() => {
    let alive = true;
    void fetchConversationReports(id).then((res) => {
      if (alive && res.ok) for (const r of res.data) onReportStatus(r);
    });
    return () => {
      alive = false;
    };
  }, [id, onReportStatus]);

  useEffect(() => {
    if (queuedKey === '') return;
    const timer = setInterval(() => {
      for (const reportId of queuedKey.split(',')) {
        void fetchReport(reportId).then((res) => {
          if (res.ok) onReportStatus(res.data);
        });
      }
    }, REPORT_STATUS_POLL_MS);
    return () => clearInterval(timer);
  }, [queuedKey, onReportStatus]);

  const sorted = [...reports].sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  const [retrying, setRetrying] = useState<string | undefined>(undefined);
  const [retryFailed, setRetryFailed] = useState<string | undefined>(undefined);
  const retry = async (reportId: string) => {
    setRetrying(reportId);
    setRetryFailed(undefined);
    const res = await retryReport(reportId);
    setRetrying(undefined);
    if (res.ok) onReportStatus(res.data);
    else if (res.kind === 'unauthorized') onUnauthorized();
    else setRetryFailed(reportId);
  };

  return (
    <section
      class="report panel"
      aria-labelledby="report-heading"
      data-sl="report-panel"
      data-conversation-id={id}
    >
      <header class="report-header">
        <h2 id="report-heading" ref={heading} tabIndex={-1}>
          {t.report.heading(label)}
        </h2>
        <button type="button" class="small" data-sl="report-close" onClick={onClose}>
          {t.report.close}
        </button>
      </header>
      {sorted.length > 0 && (
        <section aria-labelledby="report-earlier-heading" class="report-statuses">
          <h3 id="report-earlier-heading">{t.report.earlier}</h3>
          <ul>
            {sorted.map((r) => (
              <li key={r.reportId} data-sl="report-item" data-report-id={r.reportId}>
                {regionLabel(r.region)}
                {r.createdAt !== '' && (
                  <>
                    {' · '}
                    <time dateTime={r.createdAt}>{formatClock(r.createdAt, t.locale)}</time>
                  </>
                )}{' '}
                <ReportStatusBadge report={r} /> <span class="muted">{t.report.attempts(r.attempts)}</span>
                {r.lastError !== undefined && r.status !== 'delivered' && (
                  <span class="muted"> · {t.report.lastError(r.lastError)}</span>
                )}
                {r.status === 'failed' && (
                  <>
                    <p class="hint">{t.report.failedHint}</p>
                    <button
                      type="button"
                      class="small"
                      data-sl="report-retry"
                      disabled={retrying === r.reportId}
                      onClick={() => void retry(r.reportId)}
                    >
                      {t.supervisor.reports.retry}
                    </button>
                  </>
                )}
                {retryFailed === r.reportId && (
                  <p class="error" role="alert" data-sl="report-retry-error">
                    {t.supervisor.reports.retryFailed}
                  </p>
                )}
              </li>
            ))}
          </ul>
        </section>
      )}
      {draft ? (
        <ReportForm
          key={id}
          conversationId={id}
          language={c.language}
          draft={draft}
          ctx={ctx}
          acute={entry.acute}
          messages={entry.messages}
          regions={regions}
          onChange={onDraft}
          onInsert={onInsert}
          onSubmitted={(status) => {
            onReportStatus(status);
            onDraft(undefined);
            setTimeout(() => heading.current?.focus(), 0);
          }}
          onUnauthorized={onUnauthorized}
        />
      ) : (
        <div class="buttons">
          {sorted.length > 0 && <p class="ok">{t.report.sent}</p>}
          <button type="button" data-sl="report-new" onClick={() => onDraft(initialDraft(c, ctx))}>
            {t.report.newReport}
          </button>
        </div>
      )}
    </section>
  );
}
