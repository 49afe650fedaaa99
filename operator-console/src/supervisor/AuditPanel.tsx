import { useEffect, useState } from 'preact/hooks';
import {
  type AuditFilters,
  type AuditResponse,
  fetchAudit,
  fetchLines,
  type StaffLine,
} from '../api/figures.ts';
import { useI18n } from '../i18n/index.ts';
import { DataTable } from '../lib/DataTable.tsx';
import { formatDayTime } from '../lib/time.ts';

/** The actions the filter offers; the reader itself takes any action name. */
export const AUDIT_ACTIONS = [
  'accept',
  'end',
  'transfer',
  'transfer-queue',
  'reassign',
  'monitor',
  'unmonitor',
  'read',
  'overview',
  'note',
  'tags',
  'risk',
  'signal-dismiss',
  'report-submit',
  'report-delivered',
  'report-failed',
  'report-retry',
  'report-identifying-acute-danger',
  'block',
  'block-lift',
  'break',
  'handover',
  'debrief-request',
  'login',
  'logout',
  'login-failed',
  'operator-add',
  'operator-update',
  'operator-languages',
  'operator-lines',
  'operator-capacity',
  'operator-disable',
  'operator-enable',
  'operator-reset-password',
  'password-change',
  'canned-save',
  'canned-delete',
] as const;

interface AuditPanelProps {
  onUnauthorized(): void;
}

type Loaded =
  | { kind: 'idle' }
  | { kind: 'busy' }
  | { kind: 'failed'; forbidden: boolean }
  | ({ kind: 'ready' } & AuditResponse);

/**
 * Supervisors and admins: the audit stream, who did what to which conversation and when,
 * filtered by line, day and action. The stream holds no content, so neither does this list.
 * It loads on request (the filters' button), not by polling.
 */
export function AuditPanel({ onUnauthorized }: AuditPanelProps) {
  const { t } = useI18n();
  const au = t.supervisor.audit;
  const [lines, setLines] = useState<StaffLine[]>([]);
  const [filters, setFilters] = useState<AuditFilters>({ line: '', from: '', to: '', action: '' });
  const [loaded, setLoaded] = useState<Loaded>({ kind: 'idle' });

  useEffect(() => {
    void fetchLines().then((res) => {
      if (res.ok) setLines(res.data);
      else if (res.kind === 'unauthorized') onUnauthorized();
    });
  }, [onUnauthorized]);

  const load = async (before?: string) => {
    const previous = loaded.kind === 'ready' && before ? loaded.entries : [];
    setLoaded({ kind: 'busy' });
    const res = await fetchAudit(filters, before);
    if (res.ok)
      return setLoaded({
        kind: 'ready',
        entries: [...previous, ...res.data.entries],
        ...(res.data.next ? { next: res.data.next } : {}),
      });
    if (res.kind === 'unauthorized') return onUnauthorized();
    setLoaded({ kind: 'failed', forbidden: res.kind === 'forbidden' });
  };

  const set = (key: keyof AuditFilters) => (e: Event) =>
    setFilters((f) => ({ ...f, [key]: (e.currentTarget as HTMLInputElement | HTMLSelectElement).value }));
  const lineName = (id: string | undefined) => lines.find((l) => l.id === id)?.name ?? id ?? '';

  return (
    <section class="audit panel" aria-labelledby="audit-heading" data-sl="audit">
      <h2 id="audit-heading">{au.heading}</h2>
      <p class="hint">{au.intro}</p>
      <form
        class="audit-filters"
        onSubmit={(e) => {
          e.preventDefault();
          void load();
        }}
      >
        {lines.length > 1 && (
          <div class="field">
            <label for="audit-line">{au.line}</label>
            <select id="audit-line" data-sl="audit-line" value={filters.line} onChange={set('line')}>
              <option value="">{au.allLines}</option>
              {lines.map((l) => (
                <option key={l.id} value={l.id}>
                  {l.name}
                </option>
              ))}
            </select>
          </div>
        )}
        <div class="field">
          <label for="audit-from">{au.from}</label>
          <input
            id="audit-from"
            data-sl="audit-from"
            type="date"
            value={filters.from}
            onInput={set('from')}
          />
        </div>
        <div class="field">
          <label for="audit-to">{au.to}</label>
          <input id="audit-to" data-sl="audit-to" type="date" value={filters.to} onInput={set('to')} />
        </div>
        <div class="field">
          <label for="audit-action">{au.action}</label>
          <select id="audit-action" data-sl="audit-action" value={filters.action} onChange={set('action')}>
            <option value="">{au.allActions}</option>
            {AUDIT_ACTIONS.map((a) => (
              <option key={a} value={a}>
                {a}
              </option>
            ))}
          </select>
        </div>
        <button type="submit" data-sl="audit-show" disabled={loaded.kind === 'busy'}>
          {au.show}
        </button>
      </form>
      <div role="status">
        {loaded.kind === 'busy' && <p>{t.app.loading}</p>}
        {loaded.kind === 'ready' && <p data-sl="audit-count">{au.count(loaded.entries.length)}</p>}
      </div>
      {loaded.kind === 'failed' && <p class="error">{loaded.forbidden ? au.forbidden : au.failed}</p>}
      {loaded.kind === 'ready' && loaded.entries.length > 0 && (
        <DataTable caption={au.heading} columns={[au.when, au.action, au.who, au.target, au.line]}>
          {loaded.entries.map((e) => (
            <tr key={e.id} data-sl="audit-entry" data-action={e.action} data-line={e.line ?? ''}>
              <td>
                <time dateTime={e.at}>{formatDayTime(e.at, t.locale)}</time>
              </td>
              <td>{e.action}</td>
              <td>{e.actorName ?? (e.actor === 'system' ? au.system : e.actor)}</td>
              <td class="mono">{e.target}</td>
              <td>{lineName(e.line)}</td>
            </tr>
          ))}
        </DataTable>
      )}
      {loaded.kind === 'ready' && loaded.next !== undefined && (
        <button type="button" data-sl="audit-more" onClick={() => void load(loaded.next)}>
          {au.more}
        </button>
      )}
    </section>
  );
}
