import type { SupervisorAlert } from '@stille-lijn/shared';
import type { Messages } from '../i18n/index.ts';
import { formatDuration } from '../lib/time.ts';

/** What an alert says, for the alert bar, the supervisor view and the live regions. */
export function alertText(t: Messages, a: SupervisorAlert): string {
  switch (a.kind) {
    case 'acute-danger':
      return t.announce.alertAcute(a.operatorName ?? t.announce.someone);
    case 'urgent-waiting':
      return t.announce.alertUrgentWaiting(formatDuration(a.waitedSeconds ?? 0));
    case 'debrief-request':
      return t.announce.alertDebrief(a.operatorName ?? t.announce.someone);
    case 'danger-signal':
      return t.announce.alertDanger;
    case 'totp-locked':
      return t.announce.alertTotpLocked(a.operatorName ?? t.announce.someone);
    default:
      return t.announce.alertReportFailed;
  }
}

/** A key that tells two alerts apart. */
export const alertKey = (a: SupervisorAlert) =>
  `${a.kind}-${a.at}-${a.conversationId ?? ''}-${a.reportId ?? ''}-${a.operatorId ?? ''}`;
