import type { ReportStatus } from '@stille-lijn/shared/domain/report';
import { useEffect } from 'preact/hooks';
import type { CannedResponse } from '../canned/catalogue.ts';
import { ConversationList } from '../conversations/ConversationList.tsx';
import { ConversationPane } from '../conversations/ConversationPane.tsx';
import { useI18n } from '../i18n/index.ts';
import { NotesPanel } from '../notes/NotesPanel.tsx';
import { QueuePanel } from '../queue/QueuePanel.tsx';
import { initialDraft } from '../report/draft.ts';
import { ReportPanel, reportContext } from '../report/ReportPanel.tsx';
import type { ReportDesk } from '../report/useReportDesk.ts';
import { RiskPanel } from '../risk/RiskPanel.tsx';
import type { WorkspaceCommands } from '../state/useWorkspace.ts';
import type { WorkspaceState } from '../state/workspace.ts';
import { TagsPanel } from '../tags/TagsPanel.tsx';

interface WorkspaceScreenProps {
  state: WorkspaceState;
  canned: readonly CannedResponse[];
  commands: WorkspaceCommands;
  reports: ReportDesk;
  onUnauthorized(): void;
}

/**
 * The operator's screen: queue and conversations left, the open conversation, and on the
 * right its notes and assessment, or the report to Veilig Thuis while that is open.
 */
export function WorkspaceScreen({ state, canned, commands, reports, onUnauthorized }: WorkspaceScreenProps) {
  const { t } = useI18n();
  const id = state.selectedId;
  const entry = id === undefined ? undefined : state.conversations[id];
  const label = id === undefined ? '' : t.conversations.label(state.labels[id] ?? 0);
  const reportOpen = id !== undefined && reports.openIds.has(id);

  // A closed or moved conversation takes its report draft with it.
  const { keepOnly } = reports;
  useEffect(() => keepOnly(state.order), [state.order, keepOnly]);

  const insertIntoDraft = (conversationId: string, text: string) => {
    const current = state.conversations[conversationId]?.draft ?? '';
    const draft = current.replace(/\s+$/, '');
    commands.setDraft(conversationId, draft === '' ? text : `${draft}\n${text}`);
    document.getElementById('composer')?.focus();
  };
  const conversationReports = (conversationId: string): ReportStatus[] =>
    Object.values(state.reports).filter((r) => r.conversationId === conversationId);

  return (
    <>
      <h1 class="sr-only">{t.app.nav.workspace}</h1>
      <div class={`workspace${reportOpen ? ' has-report' : ''}`}>
        <div class="workspace-lists">
          <QueuePanel queue={state.queue} onAccept={commands.accept} />
          <ConversationList
            order={state.order}
            conversations={state.conversations}
            labels={state.labels}
            selectedId={id}
            onSelect={commands.select}
          />
        </div>
        {entry && id !== undefined ? (
          <>
            <ConversationPane
              entry={entry}
              canned={canned}
              label={label}
              commands={commands}
              reportOpen={reportOpen}
              onReport={() => {
                if (reportOpen) return reports.close(id);
                reports.open(id, () => initialDraft(entry.conversation, reportContext(entry)));
                setTimeout(() => document.getElementById('report-heading')?.focus(), 0);
              }}
            />
            {reportOpen ? (
              <section class="workspace-side" aria-label={t.report.sidePanel} key={`report-${id}`}>
                <ReportPanel
                  entry={entry}
                  label={label}
                  draft={reports.drafts[id]}
                  regions={reports.regions}
                  reports={conversationReports(id)}
                  onDraft={(draft) => reports.setDraft(id, draft)}
                  onInsert={(text) => insertIntoDraft(id, text)}
                  onReportStatus={commands.reportStatus}
                  onClose={() => {
                    reports.close(id);
                    setTimeout(
                      () => document.querySelector<HTMLElement>('[data-sl="report-open"]')?.focus(),
                      0,
                    );
                  }}
                  onUnauthorized={onUnauthorized}
                />
              </section>
            ) : (
              <section class="workspace-side" aria-label={t.conversation.sidePanel} key={id}>
                <NotesPanel notes={entry.notes} onAdd={(text) => commands.addNote(id, text)} />
                <TagsPanel
                  tags={entry.tags}
                  sync={entry.sync.tags}
                  onChange={(tags) => void commands.setTags(id, tags)}
                />
                <RiskPanel
                  answers={entry.riskAnswers}
                  override={entry.riskOverride}
                  sync={entry.sync.risk}
                  onAnswer={(itemId, answer) => commands.answerRisk(id, itemId, answer)}
                  onOverride={(override) => commands.overrideRisk(id, override)}
                  onSave={() => void commands.saveRisk(id)}
                />
              </section>
            )}
          </>
        ) : (
          <div class="conversation conversation-empty">
            <p class="muted">{t.conversations.selectPrompt}</p>
          </div>
        )}
      </div>
    </>
  );
}
