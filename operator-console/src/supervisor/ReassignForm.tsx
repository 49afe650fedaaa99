import { useEffect, useRef, useState } from 'preact/hooks';
import type { Reassign } from '../api/socket.ts';
import type { OverviewOperator } from '../api/supervisor.ts';
import { useI18n } from '../i18n/index.ts';
import type { ReassignOutcome } from '../state/useWorkspace.ts';
import { shortRef } from './OverviewPanel.tsx';

/** The conversation to move: an active one (with its holder), or a waiting one to hand to someone. */
export interface ReassignTarget {
  conversationId: string;
  operatorId?: string | undefined;
  waiting: boolean;
}

interface ReassignFormProps {
  conversation: ReassignTarget;
  operators: readonly OverviewOperator[];
  onReassign(to: Reassign['to']): Promise<ReassignOutcome>;
  onDone(): void;
  onCancel(): void;
}

/**
 * Move an active conversation from whoever holds it, to an operator with room or back to
 * the queue; or give a waiting one to a named operator.
 */
export function ReassignForm({ conversation, operators, onReassign, onDone, onCancel }: ReassignFormProps) {
  const { t } = useI18n();
  const [target, setTarget] = useState<'operator' | 'queue'>('operator');
  const r = t.supervisor.reassign;
  const [operatorId, setOperatorId] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>(undefined);
  const first = useRef<HTMLInputElement>(null);
  const candidates = operators.filter((o) => o.id !== conversation.operatorId);
  const canTake = (o: OverviewOperator) => o.connected && o.load < o.capacity;
  const ref = shortRef(conversation.conversationId);

  useEffect(() => {
    (first.current ?? document.getElementById('reassign-operator'))?.focus();
  }, []);

  const submit = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    let to: Reassign['to'] = { queue: true };
    if (target === 'operator') {
      if (operatorId === '') {
        setError(t.supervisor.reassign.needOperator);
        return;
      }
      to = { operatorId };
    }
    setBusy(true);
    setError(undefined);
    const outcome = await onReassign(to);
    setBusy(false);
    if (outcome === 'ok') return onDone();
    setError(
      outcome === 'not-found'
        ? t.supervisor.reassign.notFound
        : outcome === 'colleague-full'
          ? t.supervisor.reassign.colleagueFull
          : outcome === 'conflict'
            ? t.supervisor.reassign.conflict
            : t.supervisor.reassign.failed,
    );
  };

  return (
    <form
      class="reassign-form card"
      aria-labelledby="reassign-heading"
      data-sl="reassign-form"
      data-conversation-id={conversation.conversationId}
      onSubmit={submit}
      noValidate
    >
      <h3 id="reassign-heading">{conversation.waiting ? r.assignHeading(ref) : r.heading(ref)}</h3>
      {!conversation.waiting && (
        <fieldset>
          <legend>{t.supervisor.reassign.target}</legend>
          <label class="choice">
            <input
              ref={first}
              type="radio"
              name="reassign-target"
              value="operator"
              data-sl="reassign-to-operator"
              checked={target === 'operator'}
              onChange={() => setTarget('operator')}
            />
            {t.supervisor.reassign.toOperator}
          </label>
          <label class="choice">
            <input
              type="radio"
              name="reassign-target"
              value="queue"
              data-sl="reassign-to-queue"
              checked={target === 'queue'}
              onChange={() => setTarget('queue')}
            />
            {t.supervisor.reassign.toQueue}
          </label>
        </fieldset>
      )}
      {target === 'operator' && (
        <div class="field">
          <label for="reassign-operator">{t.supervisor.reassign.operator}</label>
          <select
            id="reassign-operator"
            data-sl="reassign-operator"
            value={operatorId}
            onChange={(e) => setOperatorId(e.currentTarget.value)}
          >
            <option value="">{t.supervisor.reassign.choose}</option>
            {candidates.map((o) => (
              <option key={o.id} value={o.id} disabled={!canTake(o)}>
                {t.supervisor.reassign.option(
                  o.displayName,
                  t.supervisor.overview.loadValue(o.load, o.capacity),
                  !o.connected
                    ? t.supervisor.overview.disconnected
                    : o.load >= o.capacity
                      ? t.supervisor.reassign.full
                      : t.status[o.status],
                )}
              </option>
            ))}
          </select>
          {candidates.length === 0 && <p class="hint">{t.supervisor.reassign.nobody}</p>}
        </div>
      )}
      <div role="alert" class="error-slot">
        {error !== undefined && (
          <p class="error" data-sl="reassign-error">
            {error}
          </p>
        )}
      </div>
      <div class="buttons">
        <button type="submit" class="primary" data-sl="reassign-confirm" disabled={busy}>
          {conversation.waiting ? r.assign : r.submit}
        </button>
        <button type="button" onClick={onCancel}>
          {t.actions.cancel}
        </button>
      </div>
    </form>
  );
}
