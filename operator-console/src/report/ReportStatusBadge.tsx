import { regionName } from '@stille-lijn/shared/domain/regions';
import type { ReportStatus } from '@stille-lijn/shared/domain/report';
import { useI18n } from '../i18n/index.ts';

/**
 * A report's delivery status as a badge: `data-sl="report-status"` with `data-status`
 * (queued, delivered or failed) and the attempts so far. Never the report's content.
 */
export function ReportStatusBadge({ report }: { report: ReportStatus }) {
  const { t } = useI18n();
  return (
    <span
      class={`badge report-badge status-${report.status}`}
      data-sl="report-status"
      data-report-id={report.reportId}
      data-status={report.status}
      data-attempts={report.attempts}
    >
      {t.report.statuses[report.status]}
    </span>
  );
}

/** "Utrecht (VR09)": the region as people know it, with its code. */
export function regionLabel(id: string): string {
  const name = regionName(id);
  return name === undefined ? id : `${name} (${id})`;
}
