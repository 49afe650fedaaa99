import type { WaitingItem } from '@stille-lijn/shared';
import { useState } from 'preact/hooks';
import { useI18n } from '../i18n/index.ts';
import { formatDuration, secondsSince } from '../lib/time.ts';
import { useNow } from '../lib/useNow.ts';
import { SignalBadges } from '../signals/SignalBadges.tsx';
import type { AcceptOutcome } from '../state/useWorkspace.ts';
import { isLongWait } from './waiting.ts';

interface QueuePanelProps {
  queue: readonly WaitingItem[];
  onAccept(conversationId: string): Promise<AcceptOutcome>;
}

/** The live waiting list, in routing order, with accept by hand. */
export function QueuePanel({ queue, onAccept }: QueuePanelProps) {
  const { t } = useI18n();
  const now = useNow(1000);
  const [busyId, setBusyId] = useState<string | undefined>(undefined);
  const [outcome, setOutcome] = useState<Exclude<AcceptOutcome, 'ok'> | undefined>(undefined);

  const accept = async (conversationId: string) => {
    setBusyId(conversationId);
    setOutcome(undefined);
    const result = await onAccept(conversationId);
    setBusyId(undefined);
    if (result !== 'ok') setOutcome(result);
  };

  return (
    <section class="queue panel" aria-labelledby="queue-heading">
      <h2 id="queue-heading" tabIndex={-1}>
        {t.queue.heading} <span class="count">({t.queue.count(queue.length)})</span>
      </h2>
      <div role="alert" class="error-slot">
        {outcome !== undefined && (
          <p class="error" data-sl="accept-error" data-kind={outcome}>
            {outcome === 'conflict' ? t.queue.conflict : outcome === 'full' ? t.queue.full : t.queue.failed}
          </p>
        )}
      </div>
      {queue.length === 0 ? (
        <p class="muted">{t.queue.empty}</p>
      ) : (
        <ol class="queue-list">
          {queue.map((item) => {
            const waited = secondsSince(item.waitingSince, now);
            const long = isLongWait(waited);
            const role = t.visitorRoles[item.role];
            const language = t.languages[item.language];
            return (
              <li
                key={item.conversationId}
                class={`queue-item${item.urgent ? ' is-urgent' : ''}${long ? ' is-long' : ''}`}
                data-sl="queue-item"
                data-conversation-id={item.conversationId}
                data-urgent={String(item.urgent)}
                data-language-fallback={item.languageFallback === true ? 'true' : undefined}
              >
                <p class="queue-item-who">
                  {item.urgent && <span class="badge badge-urgent">{t.queue.urgent}</span>}
                  <span>{role}</span> <span class="lang">({language})</span>
                  {item.languageFallback === true && (
                    <span class="badge badge-long" title={t.shift.languageFallbackHint}>
                      {t.shift.languageFallback}
                    </span>
                  )}
                </p>
                <SignalBadges signals={item.signals} />
                <p class="queue-item-wait">
                  <span class="wait">{t.queue.waited(formatDuration(waited))}</span>
                  {long && <span class="badge badge-long">{t.queue.longWait}</span>}
                </p>
                <button
                  type="button"
                  class="primary small"
                  data-sl="accept"
                  aria-label={t.queue.acceptLabel(role, language)}
                  disabled={busyId !== undefined}
                  onClick={() => void accept(item.conversationId)}
                >
                  {t.queue.accept}
                </button>
              </li>
            );
          })}
        </ol>
      )}
    </section>
  );
}
