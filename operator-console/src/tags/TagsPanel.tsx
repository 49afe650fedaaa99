import { type ViolenceKind, violenceKinds } from '@stille-lijn/shared';
import { useI18n } from '../i18n/index.ts';
import { SyncStatus } from '../lib/SyncStatus.tsx';
import type { SyncState } from '../state/workspace.ts';

interface TagsPanelProps {
  tags: readonly ViolenceKind[];
  sync: SyncState | undefined;
  onChange(tags: ViolenceKind[]): void;
}

/** The kinds of violence this conversation is about, for the helpline only. */
export function TagsPanel({ tags, sync, onChange }: TagsPanelProps) {
  const { t } = useI18n();
  const toggle = (kind: ViolenceKind, on: boolean) =>
    onChange(on ? [...tags, kind] : tags.filter((k) => k !== kind));

  return (
    <section class="tags panel" aria-labelledby="tags-heading">
      <fieldset>
        <legend id="tags-heading">{t.tags.heading}</legend>
        <p class="hint">{t.tags.hint}</p>
        <ul class="tag-list">
          {violenceKinds.map((kind) => (
            <li key={kind}>
              <label class="choice">
                <input
                  type="checkbox"
                  data-sl="tag"
                  data-tag={kind}
                  checked={tags.includes(kind)}
                  onChange={(e) => toggle(kind, e.currentTarget.checked)}
                />
                {t.tags.kinds[kind]}
              </label>
            </li>
          ))}
        </ul>
      </fieldset>
      <SyncStatus state={sync} />
    </section>
  );
}
