import type { Note } from '@stille-lijn/shared';
import { useState } from 'preact/hooks';
import { useI18n } from '../i18n/index.ts';
import { formatClock } from '../lib/time.ts';

interface NotesPanelProps {
  notes: readonly Note[];
  onAdd(text: string): Promise<boolean>;
}

/** Private notes beside the conversation. They never reach the visitor. */
export function NotesPanel({ notes, onAdd }: NotesPanelProps) {
  const { t } = useI18n();
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const [failed, setFailed] = useState(false);

  const submit = async (e: Event) => {
    e.preventDefault();
    if (busy || text.trim() === '') return;
    setBusy(true);
    const ok = await onAdd(text);
    setBusy(false);
    setFailed(!ok);
    if (ok) setText('');
  };

  return (
    <section class="notes panel private" aria-labelledby="notes-heading">
      <h3 id="notes-heading">
        {t.notes.heading} <span class="badge badge-private">{t.notes.private}</span>
      </h3>
      {notes.length === 0 ? (
        <p class="muted">{t.notes.empty}</p>
      ) : (
        <ul class="note-list" aria-label={t.notes.list}>
          {notes.map((n) => (
            <li key={n.noteId}>
              <p class="note-meta">
                <time dateTime={n.at}>{formatClock(n.at, t.locale)}</time>
              </p>
              <p class="note-text" data-sl="note" data-note-id={n.noteId}>
                {n.text}
              </p>
            </li>
          ))}
        </ul>
      )}
      <form onSubmit={submit}>
        <label for="note-input">{t.notes.input}</label>
        <textarea
          id="note-input"
          data-sl="note-input"
          rows={2}
          autocomplete="off"
          aria-describedby="notes-private-hint"
          value={text}
          onInput={(e) => setText(e.currentTarget.value)}
        />
        <p id="notes-private-hint" class="hint">
          {t.notes.private}
        </p>
        <button type="submit" data-sl="note-add" disabled={busy || text.trim() === ''}>
          {t.notes.add}
        </button>
        {failed && (
          <p class="error" role="alert">
            {t.notes.failed}
          </p>
        )}
      </form>
    </section>
  );
}
