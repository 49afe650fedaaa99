import type { Transfer } from '@stille-lijn/shared';
import { useEffect, useRef, useState } from 'preact/hooks';
import { useI18n } from '../i18n/index.ts';
import type { BlockOutcome, TransferOutcome } from '../state/useWorkspace.ts';
import { TransferForm } from './TransferForm.tsx';

interface ConversationActionsProps {
  conversationId: string;
  /** An ended conversation offers only blocking (while not blocked) and the report. */
  ended: boolean;
  /** The visitor's address has been blocked from this conversation. */
  blocked: boolean;
  acuteMarked: boolean;
  reportOpen: boolean;
  onReport(): void;
  onAcute(): void;
  onTransfer(payload: Transfer): Promise<TransferOutcome>;
  onEnd(): Promise<boolean>;
  onBlock(): Promise<BlockOutcome>;
}

/**
 * Acute danger, transfer, end and block (both with confirmation), and the report to
 * Veilig Thuis. Blocking stays offered after the end: a troll often leaves at once.
 */
export function ConversationActions({
  conversationId,
  ended,
  blocked,
  acuteMarked,
  reportOpen,
  onReport,
  onAcute,
  onTransfer,
  onEnd,
  onBlock,
}: ConversationActionsProps) {
  const { t } = useI18n();
  const [panel, setPanel] = useState<'none' | 'transfer' | 'end' | 'block'>('none');
  const [endFailed, setEndFailed] = useState(false);
  const [blockFailure, setBlockFailure] = useState<Exclude<BlockOutcome, 'ok'> | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const confirmRef = useRef<HTMLButtonElement>(null);
  const endRef = useRef<HTMLButtonElement>(null);
  const transferRef = useRef<HTMLButtonElement>(null);
  const blockRef = useRef<HTMLButtonElement>(null);
  const blockCancelRef = useRef<HTMLButtonElement>(null);
  const blockedRef = useRef<HTMLParagraphElement>(null);
  const [focusBlocked, setFocusBlocked] = useState(false);

  useEffect(() => {
    if (panel === 'end') confirmRef.current?.focus();
    // Blocking also shuts out a victim on the same network: a second Enter must not confirm it.
    if (panel === 'block') blockCancelRef.current?.focus();
  }, [panel]);

  // The block button is gone once it worked; focus goes to the sentence that says so.
  // The server's chat:ended may mark the conversation blocked before the ack arrives, or after.
  useEffect(() => {
    if (blocked && focusBlocked) {
      setFocusBlocked(false);
      blockedRef.current?.focus();
    }
  }, [blocked, focusBlocked]);

  const close = (returnTo: HTMLButtonElement | null) => {
    setPanel('none');
    setEndFailed(false);
    setBlockFailure(undefined);
    returnTo?.focus();
  };

  const escapeCloses = (e: KeyboardEvent) => {
    if (e.key === 'Escape') close(endRef.current);
  };

  const escapeClosesBlock = (e: KeyboardEvent) => {
    if (e.key === 'Escape') close(blockRef.current);
  };

  const confirmEnd = async () => {
    setBusy(true);
    const ok = await onEnd();
    setBusy(false);
    if (ok) setPanel('none');
    else setEndFailed(true);
  };

  const confirmBlock = async () => {
    if (busy) return;
    setBusy(true);
    setBlockFailure(undefined);
    const outcome = await onBlock();
    setBusy(false);
    if (outcome === 'ok') {
      setFocusBlocked(true);
      setPanel('none');
    } else {
      setBlockFailure(outcome);
    }
  };

  const blockFailureText = {
    'too-late': t.actions.blockTooLate,
    lifted: t.actions.blockLifted,
    forbidden: t.actions.blockForbidden,
    'not-found': t.actions.blockNotFound,
    failed: t.actions.blockFailed,
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
        {!blocked && (
          <button
            ref={blockRef}
            type="button"
            data-sl="block"
            aria-expanded={panel === 'block'}
            onClick={() => (panel === 'block' ? close(blockRef.current) : setPanel('block'))}
          >
            {t.actions.block}
          </button>
        )}
        <button type="button" data-sl="report-open" aria-expanded={reportOpen} onClick={onReport}>
          {t.actions.report}
        </button>
      </div>
      {blocked && (
        <p ref={blockedRef} class="muted" tabIndex={-1} data-sl="blocked">
          {t.actions.blocked}
        </p>
      )}
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
      {!blocked && panel === 'block' && (
        <div class="confirm card">
          <p id="block-question">
            <strong>{t.actions.blockQuestion}</strong>
          </p>
          <ul id="block-consequences">
            {!ended && <li>{t.actions.blockEnds}</li>}
            <li>{t.actions.blockRefuses}</li>
            <li>{t.actions.blockSharedNetwork}</li>
            <li>{t.actions.blockLiftable}</li>
          </ul>
          <div class="buttons">
            <button
              type="button"
              class="danger"
              data-sl="block-confirm"
              aria-describedby="block-question block-consequences"
              onKeyDown={escapeClosesBlock}
              // Not `disabled`: that would drop the focus while the server answers.
              aria-disabled={busy}
              onClick={() => void confirmBlock()}
            >
              {t.actions.blockConfirm}
            </button>
            <button
              ref={blockCancelRef}
              type="button"
              aria-describedby="block-question block-consequences"
              onKeyDown={escapeClosesBlock}
              onClick={() => close(blockRef.current)}
            >
              {t.actions.cancel}
            </button>
          </div>
          {blockFailure !== undefined && (
            <p class="error" role="alert" data-sl="block-error" data-failure={blockFailure}>
              {blockFailureText[blockFailure]}
            </p>
          )}
        </div>
      )}
    </div>
  );
}
