import { useEffect, useRef, useState } from 'preact/hooks';
import { type BlockEntry, fetchBlocks, liftBlock } from '../api/blocks.ts';
import { useI18n } from '../i18n/index.ts';
import { DataTable } from '../lib/DataTable.tsx';
import { formatDayTime } from '../lib/time.ts';
import { usePolled } from '../lib/usePolled.ts';

/** How often the list of blocks refreshes; blocks run out by themselves. @default 30000 */
export const BLOCKS_REFRESH_MS = 30_000;

type LiftOutcome = 'lifted' | 'not-found' | 'failed';

interface BlocksPanelProps {
  onUnauthorized(): void;
}

/**
 * Supervisors and admins: the blocks in force (when, until, by whom) and lifting one,
 * with confirmation. The server keeps no address, so neither can this list.
 */
export function BlocksPanel({ onUnauthorized }: BlocksPanelProps) {
  const { t } = useI18n();
  const b = t.supervisor.blocks;
  const { state, refresh } = usePolled(fetchBlocks, BLOCKS_REFRESH_MS, onUnauthorized);
  const [confirming, setConfirming] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<{ blockId: string; result: LiftOutcome } | undefined>(undefined);
  const headingRef = useRef<HTMLHeadingElement>(null);
  const cancelRef = useRef<HTMLButtonElement>(null);
  const liftButtons = useRef(new Map<string, HTMLButtonElement>());

  const blocks = state.kind === 'loading' ? undefined : state.data;

  // Into the confirmation, on the harmless choice.
  useEffect(() => {
    if (confirming !== undefined) cancelRef.current?.focus();
  }, [confirming]);

  const cancel = (blockId: string) => {
    setConfirming(undefined);
    liftButtons.current.get(blockId)?.focus();
  };

  const lift = async (blockId: string) => {
    if (busy) return;
    setBusy(true);
    const res = await liftBlock(blockId);
    setBusy(false);
    if (!res.ok && res.kind === 'unauthorized') return onUnauthorized();
    const result: LiftOutcome = res.ok ? 'lifted' : res.kind === 'not-found' ? 'not-found' : 'failed';
    setOutcome({ blockId, result });
    if (result === 'failed') return;
    setConfirming(undefined);
    refresh();
    // The row goes away; the heading keeps the focus in the panel.
    headingRef.current?.focus();
  };

  const when = (block: BlockEntry) => formatDayTime(block.createdAt, t.locale);
  const by = (block: BlockEntry) => block.operatorName || b.unknownOperator;

  return (
    <section class="blocks panel" aria-labelledby="blocks-heading" data-sl="blocks">
      <h2 id="blocks-heading" ref={headingRef} tabIndex={-1}>
        {b.heading}
      </h2>
      <p class="hint">{b.intro}</p>
      <div role="status">
        {outcome?.result === 'lifted' && <p>{b.lifted}</p>}
        {outcome?.result === 'not-found' && <p>{b.liftNotFound}</p>}
      </div>
      {state.kind === 'loading' && <p>{t.app.loading}</p>}
      {state.kind === 'failed' && (
        <p class="error">{state.failure === 'forbidden' ? b.forbidden : b.unavailable}</p>
      )}
      {blocks !== undefined && blocks.length === 0 && <p class="muted">{b.empty}</p>}
      {blocks !== undefined && blocks.length > 0 && (
        <DataTable caption={b.heading} columns={[b.created, b.expires, b.by, b.actions]}>
          {blocks.map((block) => (
            <tr key={block.blockId} data-sl="block-row" data-block-id={block.blockId}>
              <th scope="row">
                <time dateTime={block.createdAt}>{when(block)}</time>
              </th>
              <td>
                <time dateTime={block.expiresAt}>{formatDayTime(block.expiresAt, t.locale)}</time>
              </td>
              <td>{by(block)}</td>
              <td>
                <button
                  ref={(el) => {
                    if (el) liftButtons.current.set(block.blockId, el);
                    else liftButtons.current.delete(block.blockId);
                  }}
                  type="button"
                  class="small"
                  data-sl="block-lift"
                  aria-label={b.liftLabel(when(block), by(block))}
                  aria-expanded={confirming === block.blockId}
                  onClick={() => {
                    if (confirming === block.blockId) return cancel(block.blockId);
                    setOutcome(undefined);
                    setConfirming(block.blockId);
                  }}
                >
                  {b.lift}
                </button>
                {confirming === block.blockId && (
                  <div class="confirm">
                    <p id="block-lift-question">{b.liftQuestion(when(block), by(block))}</p>
                    <p id="block-lift-explain">{b.liftExplain}</p>
                    <div class="buttons">
                      <button
                        type="button"
                        class="danger small"
                        data-sl="block-lift-confirm"
                        aria-describedby="block-lift-question block-lift-explain"
                        aria-disabled={busy}
                        onKeyDown={(e) => e.key === 'Escape' && cancel(block.blockId)}
                        onClick={() => void lift(block.blockId)}
                      >
                        {b.liftConfirm}
                      </button>
                      <button
                        ref={cancelRef}
                        type="button"
                        class="small"
                        aria-describedby="block-lift-question block-lift-explain"
                        onKeyDown={(e) => e.key === 'Escape' && cancel(block.blockId)}
                        onClick={() => cancel(block.blockId)}
                      >
                        {b.cancel}
                      </button>
                    </div>
                    {outcome?.blockId === block.blockId && outcome.result === 'failed' && (
                      <p class="error" role="alert">
                        {b.liftFailed}
                      </p>
                    )}
                  </div>
                )}
              </td>
            </tr>
          ))}
        </DataTable>
      )}
    </section>
  );
}
