import type { SignalCategory, SignalSummary } from '@stille-lijn/shared';
import { useI18n } from '../i18n/index.ts';

interface SignalBadgesProps {
  signals: readonly SignalSummary[] | undefined;
  /** Offered to the operator who holds the conversation: marks a signal wrong. */
  onDismiss?: (category: SignalCategory) => void;
  /** Dismissals in flight, whose buttons wait. */
  busy?: ReadonlySet<SignalCategory>;
}

/**
 * Danger signals read in the visitor's words, one `signal` element per category with
 * `data-category` and `data-weight`; high ones first. Only categories and weights: the
 * words are marked in the messages themselves.
 */
export function SignalBadges({ signals, onDismiss, busy }: SignalBadgesProps) {
  const { t } = useI18n();
  if (!signals?.length) return null;
  const sorted = [...signals].sort((a, b) => (a.weight === b.weight ? 0 : a.weight === 'high' ? -1 : 1));
  return (
    <ul class="signals" aria-label={t.signals.heading}>
      {sorted.map((s) => {
        const name = t.signals.categories[s.category];
        return (
          <li
            key={s.category}
            class={`signal signal-${s.weight}`}
            data-sl="signal"
            data-category={s.category}
            data-weight={s.weight}
          >
            <span class="signal-name" title={t.signals.hint}>
              <span class="sr-only">{t.signals.badge(name, t.signals.weight[s.weight])}</span>
              <span aria-hidden="true">{name}</span>
            </span>
            {onDismiss && (
              <button
                type="button"
                class="small link"
                data-sl="signal-dismiss"
                aria-label={t.signals.dismissLabel(name)}
                disabled={busy?.has(s.category)}
                onClick={() => onDismiss(s.category)}
              >
                {t.signals.dismiss}
              </button>
            )}
          </li>
        );
      })}
    </ul>
  );
}
