import { idSchema, type Transfer, textSchema } from '@stille-lijn/shared';
import { useEffect, useRef, useState } from 'preact/hooks';
import { type Colleague, fetchColleagues } from '../api/supervisor.ts';
import { useI18n } from '../i18n/index.ts';
import type { TransferOutcome } from '../state/useWorkspace.ts';

interface TransferFormProps {
  conversationId: string;
  onTransfer(payload: Transfer): Promise<TransferOutcome>;
  onCancel(): void;
}

/** Hand the conversation to a named colleague or back to the queue, with an optional note. */
export function TransferForm({ conversationId, onTransfer, onCancel }: TransferFormProps) {
  const { t } = useI18n();
  const [target, setTarget] = useState<'queue' | 'colleague'>('queue');
  const [operatorId, setOperatorId] = useState('');
  // Colleagues signed in now, by name; fetched when "to a colleague" is chosen.
  const [colleagues, setColleagues] = useState<Colleague[] | undefined>(undefined);
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>(undefined);
  const first = useRef<HTMLInputElement>(null);

  useEffect(() => first.current?.focus(), []);

  useEffect(() => {
    if (target !== 'colleague') return;
    let live = true;
    setColleagues(undefined);
    void fetchColleagues().then((res) => {
      if (!live) return;
      if (res.ok) setColleagues(res.data);
      else {
        setColleagues([]);
        setError(t.transfer.failed);
      }
    });
    return () => {
      live = false;
    };
  }, [target, t]);
  const canTake = (o: Colleague) => o.load < o.capacity;

  const submit = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    let to: Transfer['to'] = { queue: true };
    if (target === 'colleague') {
      const id = idSchema.safeParse(operatorId.trim());
      if (!id.success) {
        setError(t.transfer.needColleague);
        return;
      }
      to = { operatorId: id.data };
    }
    const parsedNote = textSchema.safeParse(note);
    const payload: Transfer = parsedNote.success
      ? { conversationId, to, note: parsedNote.data }
      : { conversationId, to };
    setBusy(true);
    setError(undefined);
    const outcome = await onTransfer(payload);
    setBusy(false);
    const failures: Record<Exclude<TransferOutcome, 'ok'>, string> = {
      offline: t.transfer.offline,
      'colleague-full': t.transfer.colleagueFull,
      ended: t.transfer.ended,
      'not-found': t.transfer.notFound,
      failed: t.transfer.failed,
    };
    if (outcome !== 'ok') setError(failures[outcome]);
  };

  return (
    <form class="transfer-form card" aria-labelledby="transfer-heading" onSubmit={submit} noValidate>
      <h3 id="transfer-heading">{t.transfer.heading}</h3>
      <fieldset>
        <legend>{t.transfer.target}</legend>
        <label class="choice">
          <input
            ref={first}
            type="radio"
            name="transfer-target"
            value="queue"
            data-sl="transfer-to-queue"
            checked={target === 'queue'}
            onChange={() => setTarget('queue')}
          />
          {t.transfer.toQueue}
        </label>
        <label class="choice">
          <input
            type="radio"
            name="transfer-target"
            value="colleague"
            data-sl="transfer-to-colleague"
            checked={target === 'colleague'}
            onChange={() => setTarget('colleague')}
          />
          {t.transfer.toColleague}
        </label>
      </fieldset>
      {target === 'colleague' && (
        <div class="field">
          <label for="transfer-operator">{t.transfer.colleague}</label>
          <select
            id="transfer-operator"
            data-sl="transfer-operator"
            value={operatorId}
            aria-busy={colleagues === undefined}
            onChange={(e) => setOperatorId(e.currentTarget.value)}
          >
            <option value="">{colleagues === undefined ? t.transfer.loading : t.transfer.choose}</option>
            {(colleagues ?? []).map((o) => (
              <option key={o.id} value={o.id} disabled={!canTake(o)}>
                {t.transfer.option(
                  o.displayName,
                  t.supervisor.overview.loadValue(o.load, o.capacity),
                  canTake(o) ? t.status[o.status] : t.transfer.full,
                )}
              </option>
            ))}
          </select>
          {colleagues?.length === 0 && (
            <p class="hint" data-sl="transfer-nobody">
              {t.transfer.nobody}
            </p>
          )}
        </div>
      )}
      <div class="field">
        <label for="transfer-note">{t.transfer.note}</label>
        <textarea
          id="transfer-note"
          data-sl="transfer-note"
          rows={2}
          autocomplete="off"
          value={note}
          onInput={(e) => setNote(e.currentTarget.value)}
        />
      </div>
      <div role="alert" class="error-slot">
        {error !== undefined && <p class="error">{error}</p>}
      </div>
      <div class="buttons">
        <button type="submit" class="primary" data-sl="transfer-confirm" disabled={busy}>
          {t.transfer.submit}
        </button>
        <button type="button" onClick={onCancel}>
          {t.actions.cancel}
        </button>
      </div>
    </form>
  );
}
