import { useCallback, useMemo, useRef, useState } from 'preact/hooks';
import { type ConfiguredRegion, fetchRegions } from '../api/reports.ts';
import type { ReportDraft } from './draft.ts';

export interface ReportDesk {
  /** Conversations whose report panel is open. */
  openIds: ReadonlySet<string>;
  /** Unsent report drafts by conversation, kept while the operator works in the chat. */
  drafts: Readonly<Record<string, ReportDraft>>;
  /** The regions reports can go to; undefined until known. */
  regions: readonly ConfiguredRegion[] | undefined;
  /** Opens the panel, starting a draft with `makeDraft` when there is none. */
  open(conversationId: string, makeDraft: () => ReportDraft): void;
  close(conversationId: string): void;
  /** Replaces a draft; undefined drops it (after sending, or when discarded). */
  setDraft(conversationId: string, draft: ReportDraft | undefined): void;
  /** Forgets panels and drafts of conversations that are no longer in the workspace. */
  keepOnly(conversationIds: readonly string[]): void;
}

/**
 * The reports being written, for the whole signed-in session: switching conversation or
 * view keeps a draft. Drafts live in memory only and go with the conversation.
 */
export function useReportDesk(): ReportDesk {
  const [openIds, setOpenIds] = useState<ReadonlySet<string>>(new Set());
  const [drafts, setDrafts] = useState<Readonly<Record<string, ReportDraft>>>({});
  const [regions, setRegions] = useState<readonly ConfiguredRegion[] | undefined>(undefined);
  const regionsAsked = useRef(false);

  const loadRegions = useCallback(() => {
    if (regionsAsked.current) return;
    regionsAsked.current = true;
    void fetchRegions().then((res) => {
      if (res.ok) setRegions(res.data);
      else regionsAsked.current = false;
    });
  }, []);

  const open = useCallback(
    (conversationId: string, makeDraft: () => ReportDraft) => {
      loadRegions();
      setDrafts((d) => (d[conversationId] ? d : { ...d, [conversationId]: makeDraft() }));
      setOpenIds((s) => new Set([...s, conversationId]));
    },
    [loadRegions],
  );
  const close = useCallback((conversationId: string) => {
    setOpenIds((s) => new Set([...s].filter((id) => id !== conversationId)));
  }, []);
  const setDraft = useCallback((conversationId: string, draft: ReportDraft | undefined) => {
    setDrafts((d) => {
      if (draft) return { ...d, [conversationId]: draft };
      const { [conversationId]: _gone, ...rest } = d;
      return rest;
    });
  }, []);
  const keepOnly = useCallback((conversationIds: readonly string[]) => {
    const keep = new Set(conversationIds);
    setOpenIds((s) =>
      [...s].every((id) => keep.has(id)) ? s : new Set([...s].filter((id) => keep.has(id))),
    );
    setDrafts((d) => {
      const gone = Object.keys(d).filter((id) => !keep.has(id));
      if (gone.length === 0) return d;
      return Object.fromEntries(Object.entries(d).filter(([id]) => keep.has(id)));
    });
  }, []);

  return useMemo(
    () => ({ openIds, drafts, regions, open, close, setDraft, keepOnly }),
    [openIds, drafts, regions, open, close, setDraft, keepOnly],
  );
}
