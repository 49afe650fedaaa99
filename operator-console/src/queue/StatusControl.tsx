import type { OperatorStatus } from '@stille-lijn/shared';
import { useState } from 'preact/hooks';
import { useI18n } from '../i18n/index.ts';

interface StatusControlProps {
  status: OperatorStatus | undefined;
  load: number | undefined;
  capacity: number | undefined;
  online: boolean;
  onChange(status: OperatorStatus): Promise<boolean>;
}

/** The available/away switch (a break ends by switching to available) and the operator's load against capacity. */
export function StatusControl({ status, load, capacity, online, onChange }: StatusControlProps) {
  const { t } = useI18n();
  const [busy, setBusy] = useState(false);
  const [failed, setFailed] = useState(false);
  const available = status === 'available';
  const full = load !== undefined && capacity !== undefined && load >= capacity;

  const toggle = async () => {
    setBusy(true);
    const ok = await onChange(available ? 'away' : 'available');
    setBusy(false);
    setFailed(!ok);
  };

  return (
    <fieldset class="status-control">
      <legend class="sr-only">{t.status.heading}</legend>
      <button
        type="button"
        role="switch"
        class="switch"
        aria-checked={available}
        data-sl="status-toggle"
        data-status={status ?? 'away'}
        disabled={busy || !online}
        onClick={toggle}
      >
        <span class="switch-track" aria-hidden="true">
          <span class="switch-thumb" />
        </span>
        <span class="switch-label">{t.status.toggleLabel}</span>
      </button>
      <span class={`status-text ${available ? 'is-available' : 'is-away'}`} aria-hidden="true">
        {status === undefined ? t.status.unknown : t.status[status]}
      </span>
      <span
        class={`load${full ? ' is-full' : ''}`}
        data-sl="load"
        data-load={load}
        data-capacity={capacity}
        title={full ? t.status.atCapacity : undefined}
      >
        {load !== undefined && capacity !== undefined ? t.status.load(load, capacity) : t.status.loadUnknown}
      </span>
      {failed && (
        <span class="error" role="alert">
          {t.status.failed}
        </span>
      )}
    </fieldset>
  );
}
