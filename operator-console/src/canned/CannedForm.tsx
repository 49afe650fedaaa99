import { cannedResponseSchema } from '@stille-lijn/shared/domain/canned';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { ApiFailure } from '../api/rest.ts';
import { useI18n } from '../i18n/index.ts';
import { type CannedLanguage, type CannedResponse, cannedLanguages } from './catalogue.ts';

/** What the form starts from: a response to edit (id and language fixed), or a new one. */
export interface CannedFormStart {
  mode: 'new' | 'edit' | 'translate';
  item: CannedResponse;
}

interface CannedFormProps {
  start: CannedFormStart;
  existing: readonly CannedResponse[];
  onSave(item: CannedResponse): Promise<{ ok: true } | { ok: false; kind: ApiFailure; fields: string[] }>;
  onCancel(): void;
}

type Field = 'id' | 'language' | 'title' | 'text' | 'keywords';
const fields: readonly Field[] = ['id', 'language', 'title', 'text', 'keywords'];

/** "a, b ,, c" → ['a', 'b', 'c'] */
export function parseKeywords(value: string): string[] {
  return value
    .split(',')
    .map((k) => k.trim())
    .filter((k) => k !== '');
}

/**
 * Add or edit one canned response in one language, checked with the shared schema
 * before it is sent; the server's 400 `fields` are shown the same way.
 */
export function CannedForm({ start, existing, onSave, onCancel }: CannedFormProps) {
  const { t } = useI18n();
  const c = t.cannedAdmin;
  const [id, setId] = useState(start.item.id);
  const [language, setLanguage] = useState<CannedLanguage>(start.item.language);
  const [title, setTitle] = useState(start.item.title);
  const [text, setText] = useState(start.item.text);
  const [keywords, setKeywords] = useState(start.item.keywords.join(', '));
  const [errors, setErrors] = useState<Partial<Record<Field, string>>>({});
  const [failure, setFailure] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const first = useRef<HTMLInputElement>(null);
  const fixedKey = start.mode === 'edit';

  useEffect(() => first.current?.focus(), []);

  const submit = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    setFailure(undefined);
    const parsed = cannedResponseSchema.safeParse({
      id,
      language,
      title,
      text,
      keywords: parseKeywords(keywords),
    });
    const next: Partial<Record<Field, string>> = {};
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const field = issue.path[0];
        if (typeof field === 'string' && (fields as readonly string[]).includes(field)) {
          next[field as Field] = c.errors[field as Field];
        }
      }
    } else if (
      !fixedKey &&
      existing.some((x) => x.id === parsed.data.id && x.language === parsed.data.language)
    ) {
      next.id = c.exists;
    }
    setErrors(next);
    if (!parsed.success || Object.keys(next).length > 0) {
      const firstBad = fields.find((f) => next[f] !== undefined);
      if (firstBad) document.getElementById(`canned-${firstBad}`)?.focus();
      return;
    }
    setBusy(true);
    const res = await onSave(parsed.data);
    setBusy(false);
    if (res.ok) return;
    if (res.kind === 'invalid' && res.fields.length > 0) {
      const fromServer: Partial<Record<Field, string>> = {};
      for (const f of res.fields) {
        const field = f.split('.')[0];
        if ((fields as readonly (string | undefined)[]).includes(field))
          fromServer[field as Field] = c.errors[field as Field];
      }
      setErrors(fromServer);
    }
    setFailure(res.kind === 'forbidden' ? c.forbidden : c.failed);
  };

  const describedBy = (f: Field, hint?: string) =>
    [hint, errors[f] !== undefined ? `canned-${f}-error` : undefined].filter(Boolean).join(' ') || undefined;
  const error = (f: Field) =>
    errors[f] !== undefined && (
      <p id={`canned-${f}-error`} class="error" data-sl="field-error" data-field={f}>
        {errors[f]}
      </p>
    );
  const heading =
    start.mode === 'new'
      ? c.formNew
      : start.mode === 'translate'
        ? c.formTranslate(start.item.id)
        : c.formEdit(start.item.id, c.languages[start.item.language]);

  return (
    <form
      class="canned-form card"
      aria-labelledby="canned-form-heading"
      data-sl="canned-form"
      onSubmit={submit}
      noValidate
    >
      <h2 id="canned-form-heading">{heading}</h2>
      <div class="field">
        <label for="canned-id">{c.id}</label>
        <input
          ref={first}
          id="canned-id"
          data-sl="canned-id"
          autocomplete="off"
          spellcheck={false}
          value={id}
          readOnly={start.mode !== 'new'}
          aria-invalid={errors.id !== undefined}
          aria-describedby={describedBy('id', 'canned-id-hint')}
          onInput={(e) => setId(e.currentTarget.value)}
        />
        <p id="canned-id-hint" class="hint">
          {c.idHint}
        </p>
        {error('id')}
      </div>
      <div class="field">
        <label for="canned-language">{c.language}</label>
        <select
          id="canned-language"
          data-sl="canned-language"
          value={language}
          disabled={fixedKey}
          aria-invalid={errors.language !== undefined}
          aria-describedby={describedBy('language')}
          onChange={(e) => {
            const chosen = e.currentTarget.value;
            setLanguage(cannedLanguages.find((l) => l === chosen) ?? 'nl');
          }}
        >
          {cannedLanguages.map((l) => (
            <option key={l} value={l}>
              {c.languages[l]}
            </option>
          ))}
        </select>
        {error('language')}
      </div>
      <div class="field">
        <label for="canned-title">{c.title}</label>
        <input
          id="canned-title"
          data-sl="canned-title"
          autocomplete="off"
          value={title}
          aria-invalid={errors.title !== undefined}
          aria-describedby={describedBy('title')}
          onInput={(e) => setTitle(e.currentTarget.value)}
        />
        {error('title')}
      </div>
      <div class="field">
        <label for="canned-text">{c.text}</label>
        <textarea
          id="canned-text"
          data-sl="canned-text"
          rows={4}
          autocomplete="off"
          value={text}
          aria-invalid={errors.text !== undefined}
          aria-describedby={describedBy('text')}
          onInput={(e) => setText(e.currentTarget.value)}
        />
        {error('text')}
      </div>
      <div class="field">
        <label for="canned-keywords">{c.keywords}</label>
        <input
          id="canned-keywords"
          data-sl="canned-keywords"
          autocomplete="off"
          value={keywords}
          aria-invalid={errors.keywords !== undefined}
          aria-describedby={describedBy('keywords', 'canned-keywords-hint')}
          onInput={(e) => setKeywords(e.currentTarget.value)}
        />
        <p id="canned-keywords-hint" class="hint">
          {c.keywordsHint}
        </p>
        {error('keywords')}
      </div>
      <div role="alert" class="error-slot">
        {failure !== undefined && <p class="error">{failure}</p>}
      </div>
      <div class="buttons">
        <button type="submit" class="primary" data-sl="canned-save" disabled={busy}>
          {c.save}
        </button>
        <button type="button" onClick={onCancel}>
          {t.actions.cancel}
        </button>
      </div>
    </form>
  );
}
