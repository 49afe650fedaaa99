import { type Messages, useI18n } from '../i18n/index.ts';
import type { Announcement, WorkspaceState } from '../state/workspace.ts';

function announcementText(t: Messages, a: Announcement & { label: number | undefined }): string {
  const label = a.label !== undefined ? t.conversations.label(a.label) : t.announce.conversation;
  switch (a.kind) {
    case 'assigned':
      return t.announce.assigned(label);
    case 'visitor-returned':
      return a.by === 'return-code'
        ? t.announce.visitorReturnedByCode(label)
        : t.announce.visitorReturned(label);
    case 'visitor-left':
      return t.announce.visitorLeft(label, t.conversation.left[a.reason]);
    case 'unassigned':
      return a.reason === 'requeued' ? t.announce.requeued(label) : t.announce.transferred(label);
    case 'ended':
      return a.reason === 'blocked' ? t.announce.blocked(label) : t.announce.ended(label);
    case 'blocked':
      return t.announce.blocked(label);
    case 'gone':
      return t.announce.gone(label);
    case 'report':
      return a.status === 'delivered' ? t.announce.reportDelivered(label) : t.announce.reportFailed(label);
    case 'supervisor-alert':
      return a.alert.kind === 'acute-danger'
        ? t.announce.alertAcute(a.alert.operatorName ?? t.announce.someone)
        : t.announce.alertReportFailed;
  }
}

/**
 * The polite live region for what happens in conversations the operator is not
 * looking at: a visitor who left or came back, a new, transferred, ended or blocked conversation,
 * a report delivered or failed.
 * It is visible too, as the console's status line.
 */
export function Announcer({ state }: { state: WorkspaceState }) {
  const { t } = useI18n();
  const a = state.announcement;
  const text = a ? announcementText(t, a) : '';
  return (
    <div class="announcer" role="status" aria-live="polite" data-sl="announcer">
      {a && (
        <p key={a.seq} data-kind={a.kind} data-conversation-id={a.conversationId}>
          {text}
        </p>
      )}
    </div>
  );
}
