import type { ConversationSignal } from '@stille-lijn/shared';
import { useEffect, useRef } from 'preact/hooks';
import { useI18n } from '../i18n/index.ts';
import { formatClock } from '../lib/time.ts';
import { MessageText } from '../signals/MessageText.tsx';
import type { ChatMessage } from '../state/workspace.ts';

interface MessageListProps {
  messages: readonly ChatMessage[];
  /** Absent for a read-only list (a supervisor reading along): nothing to resend there. */
  onRetry?: (clientMessageId: string) => void;
  /** Who wrote what; the operator is "you" unless told otherwise. */
  fromLabels?: Record<ChatMessage['from'], string>;
  /** The conversation's danger signals: their words are marked in the visitor's messages. */
  signals?: readonly ConversationSignal[] | undefined;
}

/** The conversation's messages, as plain text, newest at the bottom. */
export function MessageList({ messages, onRetry, fromLabels, signals }: MessageListProps) {
  const { t } = useI18n();
  const from = fromLabels ?? t.conversation.from;
  const scroller = useRef<HTMLDivElement>(null);
  const last = messages[messages.length - 1];

  useEffect(() => {
    const el = scroller.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [last?.key, last?.status]);

  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard (axe scrollable-region-focusable).
    <div class="messages" ref={scroller} role="log" aria-label={t.conversation.messages} tabIndex={0}>
      {messages.length === 0 ? (
        <p class="muted">{t.conversation.noMessages}</p>
      ) : (
        <ol>
          {messages.map((m) => (
            <li key={m.key} class={`message from-${m.from} status-${m.status}`}>
              <p class="message-meta">
                <span class="message-from">{from[m.from]}</span>{' '}
                <time dateTime={m.at}>{formatClock(m.at, t.locale)}</time>
                {m.from === 'operator' && m.status !== 'sent' && (
                  <span class={`delivery delivery-${m.status}`}> · {t.conversation.delivery[m.status]}</span>
                )}
              </p>
              <p class="message-text" data-sl="message" data-from={m.from} data-status={m.status}>
                {m.from === 'visitor' ? (
                  <MessageText text={m.text} messageId={m.messageId} signals={signals} />
                ) : (
                  m.text
                )}
              </p>
              {m.status === 'failed' && m.clientMessageId !== undefined && onRetry && (
                <button
                  type="button"
                  class="small"
                  data-sl="retry"
                  onClick={() => m.clientMessageId !== undefined && onRetry(m.clientMessageId)}
                >
                  {t.conversation.retry}
                </button>
              )}
            </li>
          ))}
        </ol>
      )}
    </div>
  );
}
