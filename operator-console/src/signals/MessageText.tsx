import type { ConversationSignal } from '@stille-lijn/shared';
import { useI18n } from '../i18n/index.ts';
import { highlight } from './highlight.ts';

/**
 * A message's text with the words that raised danger signals marked (`mark`, with
 * `data-category`), built from text ranges: every piece is a text node, never HTML.
 */
export function MessageText({
  text,
  messageId,
  signals,
}: {
  text: string;
  messageId: string | undefined;
  signals: readonly ConversationSignal[] | undefined;
}) {
  const { t } = useI18n();
  const parts = highlight(text, messageId, signals);
  if (parts.length === 1 && !parts[0]!.category) return <>{text}</>;
  return (
    <>
      {parts.map((p, i) =>
        p.category ? (
          <mark
            key={i}
            class="signal-words"
            data-category={p.category}
            title={t.signals.marked(t.signals.categories[p.category])}
          >
            {p.text}
          </mark>
        ) : (
          p.text
        ),
      )}
    </>
  );
}
