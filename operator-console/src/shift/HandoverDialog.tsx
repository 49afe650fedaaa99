import { useEffect, useRef, useState } from 'preact/hooks';
import type { Handover } from '../api/socket.ts';
import { type Colleague, fetchColleagues } from '../api/supervisor.ts';
import { useI18n } from '../i18n/index.ts';
import type { HandoverOutcome } from '../state/WorkspaceStore.ts';

interface HandoverDialogProps {
  open: boolean;
  selfId: string;
  /** How many conversations are active now (they all move). */
  activeCount: number;
  onHandover(payload: Handover): Promise<HandoverOutcome>;
  onClose(): void;
  onUnauthorized(): void;
}

/**
 * "Dienst beëindigen": every active conversation to one colleague or back to the queue,
 * with one hand-over note. A colleague without room refuses the whole hand-over, so
 * nothing moves then; the operator sees why and chooses again.
 */
export function HandoverDialog({
  open,
  selfId,
  activeCount,
  onHandover,
  onClose,
  onUnauthorized,
}: HandoverDialogProps) {
  const { t } = useI18n();
  const dialog = useRef<HTMLDialogElement>(null);
  const [colleagues, setColleagues] = useState<Colleague[] | 'loading' | 'failed'>('loading');
  const [target, setTarget] = useState<string>('queue');
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<HandoverOutcome | undefined>(undefined);

  useEffect(() => {
    const el = dialog.current;
    if (!el) return;
    if (open && !el.open) el.showModal();
    if (!open && el.open) el.close();
    if (!open) return;
    setOutcome(undefined);
    setColleagues('loading');
    let cancelled = false;
    void fetchColleagues().then((res) => {
      if (cancelled) return;
      if (!res.ok && res.kind === 'unauthorized') return onUnauthorized();
      setColleagues(res.ok ? res.data.filter((c) => c.id !== selfId && c.connected) : 'failed');
    });
    return () => {
      cancelled = true;
    };
  }, [open, selfId, onUnauthorized]);

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    const trimmed = note.trim();
    const result = await onHandover({
      to: target === 'queue' ? { queue: true } : { operatorId: target },
      ...(trimmed !== '' ? { note: trimmed } : {}),
    });
    setBusy(false);
    setOutcome(result);
    if (result.ok) setNote('');
  };

  const failureText = (failure: 'full' | 'not-found' | 'failed') =>
    failure === 'full'
      ? t.shift.handoverFull
      : failure === 'not-found'
        ? t.shift.handoverGone
        : t.shift.handoverFailed;

  return (
    <dialog
      ref={dialog}
      class="handover-dialog"
      aria-labelledby="handover-heading"
      data-sl="handover-dialog"
      onClose={onClose}
    >
      <h2 id="handover-heading">{t.shift.handoverHeading}</h2>
      {outcome?.ok ? (
        <>
          <p role="status" data-sl="handover-done" data-moved={outcome.moved}>
            {t.shift.handoverDone(outcome.moved)}
          </p>
          <form method="dialog">
            <button type="submit" class="primary" autofocus>
              {t.help.close}
            </button>
          </form>
        </>
      ) : (
        <form onSubmit={submit}>
          <p>{t.shift.handoverIntro(activeCount)}</p>
          <fieldset class="handover-targets">
            <legend>{t.shift.handoverTo}</legend>
            <label class="choice">
              <input
                type="radio"
                name="handover-to"
                value="queue"
                data-sl="handover-to-queue"
                checked={target === 'queue'}
                onChange={() => setTarget('queue')}
              />{' '}
              {t.shift.handoverQueue}
            </label>
            {colleagues === 'loading' && <p role="status">{t.app.loading}</p>}
            {colleagues === 'failed' && <p class="error">{t.shift.handoverColleaguesFailed}</p>}
            {Array.isArray(colleagues) && colleagues.length === 0 && (
              <p class="muted">{t.shift.handoverNoColleagues}</p>
            )}
            {Array.isArray(colleagues) &&
              colleagues.map((c) => {
                const free = Math.max(0, c.capacity - c.load);
                return (
                  <label class="choice" key={c.id}>
                    <input
                      type="radio"
                      name="handover-to"
                      value={c.id}
                      data-sl="handover-colleague"
                      data-operator-id={c.id}
                      data-free={free}
                      checked={target === c.id}
                      onChange={() => setTarget(c.id)}
                    />{' '}
                    {free > 0
                      ? t.shift.handoverColleague(c.displayName, free)
                      : t.shift.handoverColleagueFull(c.displayName)}
                  </label>
                );
              })}
          </fieldset>
          <label for="handover-note">{t.shift.handoverNote}</label>
          <textarea
            id="handover-note"
            data-sl="handover-note"
            rows={3}
            maxLength={2000}
            value={note}
            onInput={(e) => setNote(e.currentTarget.value)}
          />
          {outcome && !outcome.ok && (
            <p class="error" role="alert" data-sl="handover-error" data-failure={outcome.failure}>
              {failureText(outcome.failure)}
            </p>
          )}
          <div class="buttons">
            <button type="submit" class="primary" data-sl="handover-confirm" disabled={busy}>
              {t.shift.handoverConfirm}
            </button>
            <button type="button" onClick={() => dialog.current?.close()}>
              {t.shift.handoverCancel}
            </button>
          </div>
        </form>
      )}
    </dialog>
  );
}
