import { MAX_TEXT_LENGTH } from '@stille-lijn/shared';
import { useLayoutEffect, useRef, useState } from 'preact/hooks';
import { type CannedResponse, cannedText, SAFETY_CHECK_ID } from '../canned/catalogue.ts';
import { findSlashQuery, replaceSlashQuery, searchCanned } from '../canned/search.ts';
import { useI18n } from '../i18n/index.ts';

interface ComposerProps {
  /** The visitor's language, for the canned responses. */
  language: string;
  canned: readonly CannedResponse[];
  draft: string;
  readOnly: boolean;
  onDraft(text: string): void;
  onSend(text: string): void;
  onTyping(): void;
  onStopTyping(): void;
}

/** Show the counter from this many characters on. */
const COUNTER_FROM = MAX_TEXT_LENGTH - 200;

/**
 * The message field. Enter sends, Shift+Enter adds a line, and `/` opens a searchable
 * list of canned responses whose text is inserted for editing, never sent directly.
 */
export function Composer({
  language,
  canned,
  draft,
  readOnly,
  onDraft,
  onSend,
  onTyping,
  onStopTyping,
}: ComposerProps) {
  const { t } = useI18n();
  const field = useRef<HTMLTextAreaElement>(null);
  const [caret, setCaret] = useState(draft.length);
  const [dismissedAt, setDismissedAt] = useState<number | undefined>(undefined);
  const [active, setActive] = useState(0);
  const pendingCaret = useRef<number | undefined>(undefined);

  const slash = readOnly ? undefined : findSlashQuery(draft, caret);
  const open = slash !== undefined && slash.start !== dismissedAt;
  const results = open ? searchCanned(canned, slash.query, language) : [];
  const activeIndex = Math.min(active, Math.max(0, results.length - 1));
  const tooLong = draft.trim().length > MAX_TEXT_LENGTH;
  const canSend = !readOnly && draft.trim() !== '' && !tooLong;

  useLayoutEffect(() => {
    const el = field.current;
    if (el && pendingCaret.current !== undefined) {
      el.setSelectionRange(pendingCaret.current, pendingCaret.current);
      pendingCaret.current = undefined;
    }
  });

  const setText = (value: string, nextCaret: number) => {
    onDraft(value);
    setCaret(nextCaret);
    pendingCaret.current = nextCaret;
    field.current?.focus();
  };

  const insertCanned = (text: string) => {
    if (!slash) return;
    const next = replaceSlashQuery(draft, slash.start, caret, text);
    setDismissedAt(undefined);
    setText(next.value, next.caret);
    onTyping();
  };

  const openCanned = () => {
    const el = field.current;
    const at = el ? el.selectionStart : draft.length;
    const needsSpace = at > 0 && !/\s/.test(draft.charAt(at - 1));
    const insert = needsSpace ? ' /' : '/';
    setDismissedAt(undefined);
    setActive(0);
    setText(draft.slice(0, at) + insert + draft.slice(at), at + insert.length);
  };

  const insertSafetyCheck = () => {
    const text = cannedText(canned, SAFETY_CHECK_ID, language) ?? '';
    const value = draft.trim() === '' ? text : `${draft.replace(/\s+$/, '')}\n${text}`;
    setText(value, value.length);
    onTyping();
  };

  const send = () => {
    if (!canSend) return;
    onSend(draft);
    onDraft('');
    setCaret(0);
    setDismissedAt(undefined);
  };

  const onKeyDown = (e: KeyboardEvent) => {
    if (e.isComposing) return;
    if (open && e.key === 'Escape') {
      e.preventDefault();
      setDismissedAt(slash.start);
      return;
    }
    if (open && results.length > 0) {
      if ((e.key === 'ArrowDown' || e.key === 'ArrowUp') && !e.altKey) {
        e.preventDefault();
        const step = e.key === 'ArrowDown' ? 1 : -1;
        setActive((activeIndex + step + results.length) % results.length);
        return;
      }
      if (e.key === 'Enter' && !e.shiftKey) {
        e.preventDefault();
        const choice = results[activeIndex];
        if (choice) insertCanned(choice.text);
        return;
      }
    }
    if (e.key === 'Enter' && !e.shiftKey && !e.altKey && !e.ctrlKey && !e.metaKey) {
      e.preventDefault();
      send();
    }
  };

  const onInput = (e: Event) => {
    const el = e.currentTarget as HTMLTextAreaElement;
    const value = el.value;
    const at = el.selectionStart;
    onDraft(value);
    setCaret(at);
    setActive(0);
    if (dismissedAt !== undefined && findSlashQuery(value, at)?.start !== dismissedAt)
      setDismissedAt(undefined);
    if (value.trim() === '') onStopTyping();
    else onTyping();
  };

  const trackCaret = (e: Event) => setCaret((e.currentTarget as HTMLTextAreaElement).selectionStart);

  const activeId = open && results.length > 0 ? `canned-option-${activeIndex}` : undefined;

  return (
    <form
      class="composer"
      onSubmit={(e) => {
        e.preventDefault();
        send();
      }}
    >
      <div class="composer-tools">
        <label for="composer">{t.composer.label}</label>
        <button type="button" class="small" data-sl="canned-open" disabled={readOnly} onClick={openCanned}>
          {t.composer.canned}
        </button>
        <button
          type="button"
          class="small"
          data-sl="safety-check"
          disabled={readOnly}
          onClick={insertSafetyCheck}
        >
          {t.composer.safetyCheck}
        </button>
      </div>
      {open && (
        <div class="canned-popup">
          {results.length > 0 ? (
            <div id="canned-list" role="listbox" aria-label={t.composer.cannedList} data-sl="canned-list">
              {results.map((c, i) => (
                <div
                  key={`${c.language}-${c.id}`}
                  id={`canned-option-${i}`}
                  role="option"
                  tabIndex={-1}
                  aria-selected={i === activeIndex}
                  class={i === activeIndex ? 'is-active' : undefined}
                  data-sl="canned-option"
                  data-canned-id={c.id}
                  data-language={c.language}
                  onMouseDown={(e) => {
                    e.preventDefault();
                    insertCanned(c.text);
                  }}
                >
                  <span class="canned-title">
                    {c.title} <span class="lang">({c.language.toUpperCase()})</span>
                  </span>
                  <span class="canned-text">{c.text}</span>
                </div>
              ))}
            </div>
          ) : (
            <p class="muted">{t.composer.cannedNone}</p>
          )}
          <p class="hint">{t.composer.cannedHint}</p>
        </div>
      )}
      <p class="sr-only" role="status">
        {open ? (results.length > 0 ? t.composer.cannedCount(results.length) : t.composer.cannedNone) : ''}
      </p>
      <textarea
        ref={field}
        id="composer"
        data-sl="composer"
        rows={3}
        autocomplete="off"
        aria-describedby={readOnly ? 'composer-readonly' : 'composer-hint'}
        aria-autocomplete="list"
        aria-controls={open && results.length > 0 ? 'canned-list' : undefined}
        aria-activedescendant={activeId}
        aria-invalid={tooLong}
        disabled={readOnly}
        value={draft}
        onInput={onInput}
        onKeyDown={onKeyDown}
        onKeyUp={trackCaret}
        onClick={trackCaret}
        onBlur={onStopTyping}
      />
      {readOnly ? (
        <p id="composer-readonly" class="hint">
          {t.composer.readOnly}
        </p>
      ) : (
        <p id="composer-hint" class="hint">
          {t.composer.hint}
        </p>
      )}
      {(draft.length >= COUNTER_FROM || tooLong) && (
        <p class={tooLong ? 'error' : 'hint'} aria-live="polite">
          {tooLong ? t.composer.tooLong(MAX_TEXT_LENGTH) : t.composer.counter(draft.length, MAX_TEXT_LENGTH)}
        </p>
      )}
      <button type="submit" class="primary" data-sl="send" disabled={!canSend}>
        {t.composer.send}
      </button>
    </form>
  );
}
