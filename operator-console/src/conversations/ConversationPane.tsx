import type { SignalCategory } from '@stille-lijn/shared';
import { useState } from 'preact/hooks';
import { AcutePanel } from '../acute/AcutePanel.tsx';
import type { CannedResponse } from '../canned/catalogue.ts';
import { useI18n } from '../i18n/index.ts';
import { formatClock, formatDuration, secondsUntil } from '../lib/time.ts';
import { useNow } from '../lib/useNow.ts';
import { SignalBadges } from '../signals/SignalBadges.tsx';
import type { WorkspaceCommands } from '../state/useWorkspace.ts';
import type { ConversationEntry } from '../state/workspace.ts';
import { Composer } from './Composer.tsx';
import { ConversationActions } from './ConversationActions.tsx';
import { PANEL_ID, tabId } from './ConversationList.tsx';
import { MessageList } from './MessageList.tsx';
import { ReturnCodeWarning } from './ReturnCodeWarning.tsx';

interface ConversationPaneProps {
  entry: ConversationEntry;
  canned: readonly CannedResponse[];
  label: string;
  commands: WorkspaceCommands;
  reportOpen: boolean;
  onReport(): void;
}

/** The open conversation: signals, acute-danger script, messages, composer and actions. */
export function ConversationPane({
  entry,
  canned,
  label,
  commands,
  reportOpen,
  onReport,
}: ConversationPaneProps) {
  const { t } = useI18n();
  const now = useNow(1000);
  const c = entry.conversation;
  const id = c.conversationId;
  const ended = c.state === 'ended';
  const away = entry.away;
  const returnLeft = away?.returnUntil ? secondsUntil(away.returnUntil, now) : undefined;

  const [dismissing, setDismissing] = useState<ReadonlySet<SignalCategory>>(new Set());
  const [dismissFailed, setDismissFailed] = useState(false);
  const dismiss = async (category: SignalCategory) => {
    setDismissing((s) => new Set([...s, category]));
    setDismissFailed(false);
    const ok = await commands.dismissSignal(id, category);
    setDismissing((s) => new Set([...s].filter((x) => x !== category)));
    if (!ok) setDismissFailed(true);
  };

  const insertIntoDraft = (text: string) => {
    const draft = entry.draft.replace(/\s+$/, '');
    commands.setDraft(id, draft === '' ? text : `${draft}\n${text}`);
    document.getElementById('composer')?.focus();
  };

  return (
    <section
      id={PANEL_ID}
      class={`conversation${c.urgent ? ' is-urgent' : ''}${ended ? ' is-ended' : ''}`}
      role="tabpanel"
      aria-labelledby={tabId(id)}
      data-sl="conversation"
      data-conversation-id={id}
      data-state={c.state}
    >
      <header class="conversation-header">
        <h2>
          {t.conversation.heading(label, t.visitorRoles[c.role], t.languages[c.language])}
          {c.urgent && (
            <>
              {' '}
              <span class="badge badge-urgent">{t.conversation.urgent}</span>
            </>
          )}
        </h2>
        <ConversationActions
          key={id}
          conversationId={id}
          ended={ended}
          blocked={entry.blockedAt !== undefined}
          reportOpen={reportOpen}
          onReport={onReport}
          acuteMarked={entry.acute !== undefined}
          onAcute={() => {
            void commands.markAcute(id);
            // The 112 script appears above the messages; take the operator there.
            setTimeout(() => document.getElementById('acute-heading')?.focus(), 0);
          }}
          onTransfer={commands.transfer}
          onEnd={() => commands.end(id)}
          onBlock={() => commands.block(id)}
        />
      </header>
      <SignalBadges
        signals={c.signals}
        busy={dismissing}
        {...(ended ? {} : { onDismiss: (category: SignalCategory) => void dismiss(category) })}
      />
      <div role="alert" class="error-slot">
        {dismissFailed && (
          <p class="error" data-sl="signal-dismiss-error">
            {t.signals.dismissFailed}
          </p>
        )}
      </div>

      {/* Present from the start, so that a supervisor starting to read along is announced. */}
      <div role="status" class="status-slot">
        {entry.monitoredBy.length > 0 && (
          <p class="banner banner-monitored" data-sl="monitored">
            {t.conversation.monitored(entry.monitoredBy.join(', '))}
          </p>
        )}
      </div>
      {away && !ended && (
        <div class={`banner banner-left reason-${away.reason}`} data-reason={away.reason}>
          <p>{t.conversation.left[away.reason]}</p>
          {away.returnUntil !== undefined && returnLeft !== undefined && (
            <p data-sl="return-countdown" data-return-until={away.returnUntil}>
              {returnLeft > 0
                ? t.conversation.returnUntil(
                    formatClock(away.returnUntil, t.locale),
                    formatDuration(returnLeft),
                  )
                : t.conversation.returnExpired}
            </p>
          )}
        </div>
      )}
      {!away && !ended && entry.returnCodeUsedAt !== undefined && (
        <ReturnCodeWarning at={entry.returnCodeUsedAt} hook="return-code-used" />
      )}
      {!away && !ended && entry.returnedAt !== undefined && entry.returnCodeUsedAt === undefined && (
        <p class="banner banner-returned">{t.conversation.returned}</p>
      )}
      {ended && (
        <div class="banner banner-ended">
          <p>
            {t.conversation.ended} {c.endReason !== undefined && t.conversation.endReasons[c.endReason]}
          </p>
          <button type="button" data-sl="close" onClick={() => commands.close(id)}>
            {t.conversation.close}
          </button>
        </div>
      )}

      {entry.acute && !ended && (
        <AcutePanel
          key={id}
          language={c.language}
          canned={canned}
          acute={entry.acute}
          sync={entry.sync.acute}
          onInsert={insertIntoDraft}
          onSave={(details) => void commands.saveAcute(id, details)}
        />
      )}

      <MessageList
        messages={entry.messages}
        signals={c.signals}
        onRetry={(clientMessageId) => commands.retry(id, clientMessageId)}
      />
      <p class="typing" aria-live="off" data-sl="visitor-typing" hidden={!entry.visitorTyping}>
        {t.conversation.visitorTyping}
      </p>
      <Composer
        key={id}
        language={c.language}
        canned={canned}
        draft={entry.draft}
        readOnly={ended}
        onDraft={(text) => commands.setDraft(id, text)}
        onSend={(text) => commands.send(id, text)}
        onTyping={() => commands.typing(id)}
        onStopTyping={() => commands.stopTyping(id)}
      />
    </section>
  );
}
