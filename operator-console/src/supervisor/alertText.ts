import type { SupervisorAlert } from '@stille-lijn/shared';
import type { Messages } from '../i18n/index.ts';

/** What an alert says, for the alert bar, the supervisor view and the live regions. */
export function alertText(t: Messages, a: SupervisorAlert): string {
  return a.kind === 'acute-danger'
    ? t.announce.alertAcute(a.operatorName ?? t.announce.someone)
    : t.announce.alertReportFailed;
}

/** A key that tells two alerts apart. */
export const alertKey = (a: SupervisorAlert) =>
  `${a.kind}-${a.at}-${a.conversationId ?? ''}-${a.reportId ?? ''}`;
