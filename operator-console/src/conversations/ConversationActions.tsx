import type { Transfer } from '@stille-lijn/shared';
import { useEffect, useRef, useState } from 'preact/hooks';
import { useI18n } from '../i18n/index.ts';
import type { TransferOutcome } from '../state/useWorkspace.ts';
import { TransferForm } from './TransferForm.tsx';

interface ConversationActionsProps {
  conversationId: string;
  /** An ended conversation offers only the report. */
  ended: boolean;
  acuteMarked: boolean;
  reportOpen: boolean;
  onReport(): void;
  onAcute(): void;
  onTransfer(payload: Transfer): Promise<TransferOutcome>;
  onEnd(): Promise<boolean>;
}

/** Acute danger, transfer and end (with confirmation), and the report to Veilig Thuis. */
export function ConversationActions({
  conversationId,
  ended,
  acuteMarked,
  reportOpen,
  onReport,
  onAcute,
  onTransfer,
  onEnd,
}: ConversationActionsProps) {
  const { t } = useI18n();
  const [panel, setPanel] = useState<'none' | 'transfer' | 'end'>('none');
  const [endFailed, setEndFailed] = useState(false);
  const [busy, setBusy] = useState(false);
  const confirmRef = useRef<HTMLButtonElement>(null);
  const endRef = useRef<HTMLButtonElement>(null);
  const transferRef = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    if (panel === 'end') confirmRef.current?.focus();
  }, [panel]);

  const close = (returnTo: HTMLButtonElement | null) => {
    setPanel('none');
    setEndFailed(false);
    returnTo?.focus();
  };

  const escapeCloses = (e: KeyboardEvent) => {
    if (e.key === 'Escape') close(endRef.current);
  };

  const confirmEnd = async () => {
    setBusy(true);
    const ok = await onEnd();
    setBusy(false);
    if (ok) setPanel('none');
    else setEndFailed(true);
  };

  return (
    <div class="actions">
      <div class="buttons">
        {!ended && (
          <>
            <button
              type="button"
              class="danger"
              data-sl="acute-danger"
              aria-pressed={acuteMarked}
              onClick={onAcute}
            >
              {acuteMarked ? t.actions.acuteMarked : t.actions.acuteDanger}
            </button>
            <button
              ref={transferRef}
              type="button"
              data-sl="transfer"
              aria-expanded={panel === 'transfer'}
              onClick={() => setPanel(panel === 'transfer' ? 'none' : 'transfer')}
            >
              {t.actions.transfer}
            </button>
            <button
              ref={endRef}
              type="button"
              data-sl="end"
              aria-expanded={panel === 'end'}
              onClick={() => setPanel(panel === 'end' ? 'none' : 'end')}
            >
              {t.actions.end}
            </button>
          </>
        )}
        <button type="button" data-sl="report-open" aria-expanded={reportOpen} onClick={onReport}>
          {t.actions.report}
        </button>
      </div>
      {!ended && panel === 'transfer' && (
        <TransferForm
          conversationId={conversationId}
          onTransfer={onTransfer}
          onCancel={() => close(transferRef.current)}
        />
      )}
      {!ended && panel === 'end' && (
        <div class="confirm card">
          <p id="end-question">{t.actions.endQuestion}</p>
          <div class="buttons">
            <button
              ref={confirmRef}
              type="button"
              class="danger"
              data-sl="end-confirm"
              aria-describedby="end-question"
              onKeyDown={escapeCloses}
              disabled={busy}
              onClick={() => void confirmEnd()}
            >
              {t.actions.endConfirm}
            </button>
            <button type="button" onKeyDown={escapeCloses} onClick={() => close(endRef.current)}>
              {t.actions.cancel}
            </button>
          </div>
          {endFailed && (
            <p class="error" role="alert">
              {t.actions.endFailed}
            </p>
          )}
        </div>
      )}
    </div>
  );
}
