import type { ReportStatus } from '@stille-lijn/shared/domain/report';
import { useEffect, useState } from 'preact/hooks';
import { fetchAllReports, retryReport } from '../api/reports.ts';
import { useI18n } from '../i18n/index.ts';
import { DataTable } from '../lib/DataTable.tsx';
import { formatClock } from '../lib/time.ts';
import { ReportStatusBadge, regionLabel } from '../report/ReportStatusBadge.tsx';
import { shortRef } from './OverviewPanel.tsx';

interface ReportsPanelProps {
  reports: Readonly<Record<string, ReportStatus>>;
  onReportStatus(status: ReportStatus): void;
  onUnauthorized(): void;
}

/** How often the full list is fetched when the server offers one. @default 15000 */
export const REPORTS_REFRESH_MS = 15_000;

/** Newest first; a report without a creation time last. */
export function sortReports(list: readonly ReportStatus[]): ReportStatus[] {
  return [...list].sort(
    (a, b) => b.createdAt.localeCompare(a.createdAt) || a.reportId.localeCompare(b.reportId),
  );
}

/**
 * Reports to Veilig Thuis and their delivery status, live; a failed one can be sent
 * again. Without a list endpoint on the server it shows what this session has seen.
 */
export function ReportsPanel({ reports, onReportStatus, onUnauthorized }: ReportsPanelProps) {
  const { t } = useI18n();
  const [complete, setComplete] = useState<boolean | undefined>(undefined);
  const [retrying, setRetrying] = useState<string | undefined>(undefined);
  const [failedRetry, setFailedRetry] = useState<string | undefined>(undefined);
  const list = sortReports(Object.values(reports));

  useEffect(() => {
    let alive = true;
    let timer: ReturnType<typeof setInterval> | undefined;
    const load = async () => {
      const res = await fetchAllReports();
      if (!alive) return;
      if (res.ok) {
        setComplete(true);
        for (const r of res.data) onReportStatus(r);
      } else if (res.kind === 'unauthorized') {
        onUnauthorized();
      } else {
        setComplete(false);
        // Not offered (404), or not now: stop asking.
        if (res.kind === 'not-found') clearInterval(timer);
      }
    };
    void load();
    timer = setInterval(() => void load(), REPORTS_REFRESH_MS);
    return () => {
      alive = false;
      clearInterval(timer);
    };
  }, [onReportStatus, onUnauthorized]);

  const retry = async (reportId: string) => {
    setRetrying(reportId);
    setFailedRetry(undefined);
    const res = await retryReport(reportId);
    setRetrying(undefined);
    if (res.ok) onReportStatus(res.data);
    else if (res.kind === 'unauthorized') onUnauthorized();
    else setFailedRetry(reportId);
  };

  return (
    <section class="reports panel" aria-labelledby="reports-heading" data-sl="reports">
      <h2 id="reports-heading">{t.supervisor.reports.heading}</h2>
      {complete === false && <p class="hint">{t.supervisor.reports.sessionOnly}</p>}
      {list.length === 0 ? (
        <p class="muted">{t.supervisor.reports.empty}</p>
      ) : (
        <DataTable
          caption={t.supervisor.reports.heading}
          columns={[
            t.supervisor.reports.created,
            t.supervisor.reports.region,
            t.supervisor.reports.conversation,
            t.supervisor.reports.status,
            t.supervisor.reports.attempts,
            t.supervisor.reports.actions,
          ]}
        >
          {list.map((r) => (
            <tr key={r.reportId} data-sl="report-row" data-report-id={r.reportId} data-status={r.status}>
              <td>
                {r.createdAt === '' ? (
                  '–'
                ) : (
                  <time dateTime={r.createdAt}>{formatClock(r.createdAt, t.locale)}</time>
                )}
              </td>
              <th scope="row">{regionLabel(r.region)}</th>
              <td>{shortRef(r.conversationId)}</td>
              <td>
                <ReportStatusBadge report={r} />
                {r.lastError !== undefined && r.status !== 'delivered' && (
                  <span class="muted"> {t.report.lastError(r.lastError)}</span>
                )}
              </td>
              <td>{r.attempts}</td>
              <td>
                {r.status === 'failed' && (
                  <button
                    type="button"
                    class="small"
                    data-sl="report-retry"
                    disabled={retrying === r.reportId}
                    aria-label={t.supervisor.reports.retryLabel(
                      regionLabel(r.region),
                      shortRef(r.conversationId),
                    )}
                    onClick={() => void retry(r.reportId)}
                  >
                    {t.supervisor.reports.retry}
                  </button>
                )}
                {failedRetry === r.reportId && (
                  <p class="error" role="alert">
                    {t.supervisor.reports.retryFailed}
                  </p>
                )}
              </td>
            </tr>
          ))}
        </DataTable>
      )}
    </section>
  );
}
