import type { ReportStatus } from '@stille-lijn/shared/domain/report';
import { announce } from './common.ts';
import type { WorkspaceState } from './types.ts';

/** Delivery statuses of the reports this console knows of. */
export type ReportsAction = { type: 'report-status'; status: ReportStatus };

export function reportsReducer(state: WorkspaceState, action: ReportsAction): WorkspaceState {
  const s = action.status;
  const known = state.reports[s.reportId];
  if (known && !isNewerStatus(known, s)) return state;
  const next = { ...state, reports: { ...state.reports, [s.reportId]: s } };
  if (s.status === 'queued' || known?.status === s.status || !state.conversations[s.conversationId]) {
    return next;
  }
  return announce(next, { kind: 'report', conversationId: s.conversationId, status: s.status });
}

/**
 * Whether `next` should replace `known`. Delivered is final; otherwise the status with
 * more attempts wins, and on a tie the later word (an event, or a retry's answer).
 */
function isNewerStatus(known: ReportStatus, next: ReportStatus): boolean {
  if (known.status === 'delivered') return false;
  return next.attempts >= known.attempts;
}
