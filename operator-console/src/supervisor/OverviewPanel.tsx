import type { Conversation, WaitingItem } from '@stille-lijn/shared';
import type { OverviewWithShift } from '../api/shift.ts';
import { useI18n } from '../i18n/index.ts';
import { DataTable } from '../lib/DataTable.tsx';
import { formatClock, formatDuration, secondsSince } from '../lib/time.ts';
import { useNow } from '../lib/useNow.ts';
import type { Polled } from '../lib/usePolled.ts';

interface OverviewPanelProps {
  state: Polled<OverviewWithShift>;
  /** The waiting list, live from the socket, in routing order. */
  waiting: readonly WaitingItem[];
  monitoringId: string | undefined;
  reassigningId: string | undefined;
  onMonitor(conversationId: string): void;
  onReassign(conversationId: string): void;
  onRefresh(): void;
}

/** A short, stable reference to an opaque conversation id, for people to tell rows apart. */
export const shortRef = (conversationId: string) => `#${conversationId.slice(-5)}`;

/** Who holds each active conversation, and each signed-in operator's load. */
export function OverviewPanel({
  state,
  waiting,
  monitoringId,
  reassigningId,
  onMonitor,
  onReassign,
  onRefresh,
}: OverviewPanelProps) {
  const { t } = useI18n();
  const now = useNow(1000);
  const data = state.kind === 'loading' ? undefined : state.data;
  const names = new Map(data?.operators.map((o) => [o.id, o.displayName]) ?? []);
  const holder = (c: Conversation) =>
    (c.operatorId !== undefined ? names.get(c.operatorId) : undefined) ??
    c.operatorName ??
    t.supervisor.overview.unknownOperator;

  return (
    <section class="overview panel" aria-labelledby="overview-heading" data-sl="overview">
      <h2 id="overview-heading">{t.supervisor.overview.heading}</h2>
      {state.kind === 'loading' && <p role="status">{t.app.loading}</p>}
      {state.kind === 'failed' && (
        <p class="error" role="alert">
          {state.failure === 'forbidden' ? t.supervisor.forbidden : t.supervisor.overview.unavailable}
        </p>
      )}
      {data &&
        (data.conversations.length === 0 ? (
          <p class="muted">{t.supervisor.overview.empty}</p>
        ) : (
          <DataTable
            caption={t.supervisor.overview.heading}
            columns={[
              t.supervisor.overview.conversation,
              t.supervisor.overview.operator,
              t.supervisor.overview.since,
              t.supervisor.overview.signals,
              t.supervisor.overview.actions,
            ]}
          >
            {data.conversations.map((c) => {
              const ref = shortRef(c.conversationId);
              const since = c.assignedAt ?? c.waitingSince;
              const watching = monitoringId === c.conversationId;
              return (
                <tr
                  key={c.conversationId}
                  class={c.urgent ? 'is-urgent' : undefined}
                  data-sl="overview-conversation"
                  data-conversation-id={c.conversationId}
                  data-operator-id={c.operatorId}
                >
                  <th scope="row">
                    <span class="ref">{ref}</span> {t.visitorRoles[c.role]} · {t.languages[c.language]}
                  </th>
                  <td data-sl="overview-holder">{holder(c)}</td>
                  <td>
                    <time dateTime={since}>{formatClock(since, t.locale)}</time>{' '}
                    <span class="muted">
                      ({t.supervisor.overview.ago(formatDuration(secondsSince(since, now)))})
                    </span>
                  </td>
                  <td>
                    {c.urgent && <span class="badge badge-urgent">{t.conversation.urgent}</span>}{' '}
                    {c.acute && <span class="badge badge-urgent">{t.supervisor.overview.acute}</span>}{' '}
                    {c.away && <span class="signal signal-left">{t.conversations.left[c.away.reason]}</span>}
                  </td>
                  <td>
                    <div class="buttons">
                      <button
                        type="button"
                        class="small"
                        data-sl="monitor"
                        aria-pressed={watching}
                        aria-label={t.supervisor.overview.monitorLabel(ref)}
                        onClick={() => onMonitor(c.conversationId)}
                      >
                        {watching ? t.supervisor.overview.monitoring : t.supervisor.overview.monitor}
                      </button>
                      <button
                        type="button"
                        class="small"
                        data-sl="reassign-open"
                        aria-expanded={reassigningId === c.conversationId}
                        aria-label={t.supervisor.overview.reassignLabel(ref)}
                        onClick={() => onReassign(c.conversationId)}
                      >
                        {t.supervisor.overview.reassign}
                      </button>
                    </div>
                  </td>
                </tr>
              );
            })}
          </DataTable>
        ))}

      <h3 id="waiting-heading">{t.supervisor.overview.waitingHeading}</h3>
      {waiting.length === 0 ? (
        <p class="muted">{t.queue.empty}</p>
      ) : (
        <table class="data-table" aria-labelledby="waiting-heading">
          <thead>
            <tr>
              <th scope="col">{t.supervisor.overview.conversation}</th>
              <th scope="col">{t.supervisor.overview.waited}</th>
              <th scope="col">{t.supervisor.overview.signals}</th>
              <th scope="col">{t.supervisor.overview.actions}</th>
            </tr>
          </thead>
          <tbody>
            {waiting.map((w) => {
              const ref = shortRef(w.conversationId);
              return (
                <tr
                  key={w.conversationId}
                  class={w.urgent ? 'is-urgent' : undefined}
                  data-sl="overview-waiting"
                  data-conversation-id={w.conversationId}
                >
                  <th scope="row">
                    <span class="ref">{ref}</span> {t.visitorRoles[w.role]} · {t.languages[w.language]}
                  </th>
                  <td>{formatDuration(secondsSince(w.waitingSince, now))}</td>
                  <td>{w.urgent && <span class="badge badge-urgent">{t.conversation.urgent}</span>}</td>
                  <td>
                    <button
                      type="button"
                      class="small"
                      data-sl="assign-open"
                      aria-expanded={reassigningId === w.conversationId}
                      aria-label={t.supervisor.overview.assignLabel(ref)}
                      onClick={() => onReassign(w.conversationId)}
                    >
                      {t.supervisor.overview.assign}
                    </button>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}

      <h3 id="operators-heading">{t.supervisor.overview.operatorsHeading}</h3>
      {data &&
        (data.operators.length === 0 ? (
          <p class="muted">{t.supervisor.overview.noOperators}</p>
        ) : (
          <table class="data-table" aria-labelledby="operators-heading">
            <thead>
              <tr>
                <th scope="col">{t.supervisor.overview.operator}</th>
                <th scope="col">{t.supervisor.overview.status}</th>
                <th scope="col">{t.supervisor.overview.load}</th>
                <th scope="col">{t.supervisor.overview.connection}</th>
                <th scope="col">{t.shift.highRisk}</th>
                <th scope="col">{t.shift.sinceBreak}</th>
              </tr>
            </thead>
            <tbody>
              {data.operators.map((o) => {
                const shift = data.shift[o.id];
                const lastBreak = shift?.lastBreakAt;
                return (
                  <tr
                    key={o.id}
                    data-sl="overview-operator"
                    data-operator-id={o.id}
                    data-status={o.status}
                    data-load={o.load}
                    data-connected={String(o.connected)}
                    data-high-risk={shift?.highRiskThisShift ?? 0}
                    data-last-break={lastBreak}
                  >
                    <th scope="row">{o.displayName}</th>
                    <td>{t.status[o.status]}</td>
                    <td class={o.load >= o.capacity ? 'is-full' : undefined}>
                      {t.supervisor.overview.loadValue(o.load, o.capacity)}
                    </td>
                    <td>
                      {o.connected ? t.supervisor.overview.connected : t.supervisor.overview.disconnected}
                    </td>
                    <td data-sl="overview-high-risk">{shift?.highRiskThisShift ?? 0}</td>
                    <td data-sl="overview-since-break">
                      {o.status === 'break' && shift?.breakUntil !== undefined
                        ? t.shift.onBreakUntil(formatClock(shift.breakUntil, t.locale))
                        : lastBreak !== undefined
                          ? formatDuration(secondsSince(lastBreak, now))
                          : t.shift.noBreak}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        ))}
      <p class="hint">
        {state.kind === 'ready' && t.supervisor.updatedAt(formatClock(state.at, t.locale))}{' '}
        <button type="button" class="small" onClick={onRefresh}>
          {t.supervisor.refresh}
        </button>
      </p>
    </section>
  );
}
