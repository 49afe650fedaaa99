import { useI18n } from '../i18n/index.ts';
import { formatDuration, secondsSince, secondsUntil } from '../lib/time.ts';
import { useNow } from '../lib/useNow.ts';
import type { ConversationEntry } from '../state/workspace.ts';

interface ConversationListProps {
  order: readonly string[];
  conversations: Readonly<Record<string, ConversationEntry>>;
  labels: Readonly<Record<string, number>>;
  selectedId: string | undefined;
  onSelect(conversationId: string): void;
}

/** Returns the tab id for a conversation; the conversation panel is labelled by it. */
export const tabId = (conversationId: string) => `tab-${conversationId}`;
export const PANEL_ID = 'conversation-panel';

/**
 * The operator's conversations as a vertical tab list: arrows, Home and End move
 * between them, and each tab shows unread messages, waiting time and visitor signals.
 */
export function ConversationList({
  order,
  conversations,
  labels,
  selectedId,
  onSelect,
}: ConversationListProps) {
  const { t } = useI18n();
  const now = useNow(1000);
  const isEnded = (id: string) => conversations[id]?.conversation.state === 'ended';
  // Open conversations first; those that ended stay below, in `ended-list`, for the report.
  const open = order.filter((id) => !isEnded(id));
  const ended = order.filter(isEnded);
  const visible = [...open, ...ended];

  /** Arrows, Home and End move within one list; each list has one tab stop. */
  const onKeyDown = (e: KeyboardEvent, list: readonly string[], index: number) => {
    if (e.altKey || e.ctrlKey || e.metaKey) return;
    let next: number | undefined;
    if (e.key === 'ArrowDown') next = (index + 1) % list.length;
    else if (e.key === 'ArrowUp') next = (index - 1 + list.length) % list.length;
    else if (e.key === 'Home') next = 0;
    else if (e.key === 'End') next = list.length - 1;
    if (next === undefined) return;
    e.preventDefault();
    const id = list[next];
    if (id === undefined) return;
    onSelect(id);
    document.getElementById(tabId(id))?.focus();
  };

  const tabs = (list: readonly string[], labelledBy: string) => {
    const focusable = selectedId !== undefined && list.includes(selectedId) ? selectedId : list[0];
    return (
      <div class="tabs" role="tablist" aria-orientation="vertical" aria-labelledby={labelledBy}>
        {list.map((id, listIndex) => {
          const index = visible.indexOf(id);
          const entry = conversations[id];
          if (!entry) return null;
          const c = entry.conversation;
          const selected = id === selectedId;
          const label = t.conversations.label(labels[id] ?? index + 1);
          const since = entry.lastVisitorMessageAt
            ? t.conversations.sinceVisitor(formatDuration(secondsSince(entry.lastVisitorMessageAt, now)))
            : t.conversations.noVisitorMessage;
          const returnLeft = entry.away?.returnUntil ? secondsUntil(entry.away.returnUntil, now) : undefined;
          return (
            <button
              key={id}
              type="button"
              role="tab"
              id={tabId(id)}
              class={`tab${selected ? ' is-selected' : ''}${c.urgent ? ' is-urgent' : ''}${entry.away ? ' is-away' : ''}`}
              aria-selected={selected}
              aria-controls={selected ? PANEL_ID : undefined}
              aria-keyshortcuts={index < 9 ? `Alt+${index + 1}` : undefined}
              tabIndex={id === focusable ? 0 : -1}
              data-sl="conversation-tab"
              data-conversation-id={id}
              data-state={c.state}
              data-urgent={String(c.urgent)}
              data-unread={entry.unread}
              onClick={() => onSelect(id)}
              onKeyDown={(e) => onKeyDown(e, list, listIndex)}
            >
              <span class="tab-title">
                {index < 9 && (
                  <span class="tab-key" aria-hidden="true">
                    {index + 1}
                  </span>
                )}
                <span class="tab-label">{label}</span>
                {c.urgent && <span class="badge badge-urgent">{t.conversation.urgent}</span>}
                {entry.unread > 0 && (
                  <span class="badge badge-unread" data-sl="unread">
                    {t.conversations.unread(entry.unread)}
                  </span>
                )}
              </span>
              <span class="tab-meta">
                {t.visitorRoles[c.role]} · {t.languages[c.language]}
                {c.state === 'ended' && ` · ${t.conversations.states.ended}`}
              </span>
              {entry.away && (
                <span class="signal signal-left" data-sl="visitor-left" data-reason={entry.away.reason}>
                  {t.conversations.left[entry.away.reason]}
                  {returnLeft !== undefined &&
                    c.state !== 'ended' &&
                    ` · ${returnLeft > 0 ? t.conversations.returnCountdown(formatDuration(returnLeft)) : t.conversations.returnExpired}`}
                </span>
              )}
              {/* A return code used before this console held it (transfer, requeue, reload) counts too. */}
              {!entry.away &&
                (entry.returnedAt !== undefined || entry.returnCodeUsedAt !== undefined) &&
                c.state !== 'ended' && (
                  <span
                    class={`signal ${entry.returnCodeUsedAt !== undefined ? 'signal-return-code' : 'signal-returned'}`}
                    data-sl="visitor-returned"
                    data-by={entry.returnCodeUsedAt !== undefined ? 'return-code' : 'token'}
                  >
                    {entry.returnCodeUsedAt !== undefined
                      ? t.conversations.returnedByCode
                      : t.conversations.returned}
                  </span>
                )}
              <span class="tab-since">{since}</span>
            </button>
          );
        })}
      </div>
    );
  };

  return (
    <section class="conversations panel" aria-labelledby="conversations-heading">
      <h2 id="conversations-heading" tabIndex={-1}>
        {t.conversations.heading}
      </h2>
      {open.length === 0 ? <p class="muted">{t.conversations.empty}</p> : tabs(open, 'conversations-heading')}
      {ended.length > 0 && (
        <section class="ended-list" data-sl="ended-list" aria-labelledby="ended-heading">
          <h3 id="ended-heading">{t.shift.endedHeading}</h3>
          {tabs(ended, 'ended-heading')}
        </section>
      )}
    </section>
  );
}
