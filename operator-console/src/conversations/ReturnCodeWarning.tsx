import { useI18n } from '../i18n/index.ts';
import { formatClock } from '../lib/time.ts';

interface ReturnCodeWarningProps {
  /** When the return code was last used (`returnCodeUsedAt`). */
  at: string;
  /** `return-code-used` in the holder's conversation, `monitor-return-code-used` reading along. */
  hook: 'return-code-used' | 'monitor-return-code-used';
}

/**
 * Someone came back with the return code at `at`: maybe not the person who wrote before
 * (the code may have been seen on her screen), so check safety before referring to anything
 * said earlier. The holder and a supervisor reading along see the same warning.
 */
export function ReturnCodeWarning({ at, hook }: ReturnCodeWarningProps) {
  const { t } = useI18n();
  return (
    <div class="banner banner-return-code" data-sl={hook}>
      <p>
        <strong>{t.conversation.returnCodeUsed(formatClock(at, t.locale))}</strong>
      </p>
      <p>{t.conversation.returnCodeCheck}</p>
    </div>
  );
}
