import type { CannedResponse } from '../canned/catalogue.ts';
import { ConversationList } from '../conversations/ConversationList.tsx';
import { ConversationPane } from '../conversations/ConversationPane.tsx';
import { useI18n } from '../i18n/index.ts';
import { NotesPanel } from '../notes/NotesPanel.tsx';
import { QueuePanel } from '../queue/QueuePanel.tsx';
import { RiskPanel } from '../risk/RiskPanel.tsx';
import type { WorkspaceCommands } from '../state/useWorkspace.ts';
import type { WorkspaceState } from '../state/workspace.ts';
import { TagsPanel } from '../tags/TagsPanel.tsx';

interface WorkspaceScreenProps {
  state: WorkspaceState;
  canned: readonly CannedResponse[];
  commands: WorkspaceCommands;
}

/** The operator's screen: queue and conversations left, the open conversation, its notes and assessment right. */
export function WorkspaceScreen({ state, canned, commands }: WorkspaceScreenProps) {
  const { t } = useI18n();
  const id = state.selectedId;
  const entry = id === undefined ? undefined : state.conversations[id];
  const label = id === undefined ? '' : t.conversations.label(state.labels[id] ?? 0);

  return (
    <>
      <h1 class="sr-only">{t.app.nav.workspace}</h1>
      <div class="workspace">
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
            <ConversationPane entry={entry} canned={canned} label={label} commands={commands} />
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
