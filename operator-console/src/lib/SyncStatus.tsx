import { useI18n } from '../i18n/index.ts';
import type { SyncState } from '../state/workspace.ts';

/** Whether console-only state reached the server, is kept in this tab only, or failed. */
export function SyncStatus({ state, failedText }: { state: SyncState | undefined; failedText?: string }) {
  const { t } = useI18n();
  return (
    <p class={`sync sync-${state ?? 'none'}`} role="status" data-sl="sync-status" data-sync={state}>
      {state === undefined ? '' : state === 'failed' && failedText !== undefined ? failedText : t.sync[state]}
    </p>
  );
}
