import { type Language, languages, type OperatorRole, operatorRoles } from '@stille-lijn/shared';
import type { ErrorReason } from '@stille-lijn/shared/errors';
import {
  type AccountDraft,
  type AccountErrors,
  type AccountField,
  accountErrors,
  orderedLanguages,
} from '@stille-lijn/shared/rest';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { ApiFailure } from '../api/rest.ts';
import { useI18n } from '../i18n/index.ts';

export interface AccountFormValues {
  username: string;
  displayName: string;
  role: OperatorRole;
  languages: Language[];
  /** Version 2, when editing: the account's own capacity; left out when the field is empty. */
  capacity?: number;
  /** Version 2 (lines): the account's lines, `['*']` for all; only when the lines field is offered. */
  lines?: string[];
}

/** The deployment's lines to choose from, and the account's lines as stored (unset: the first line). */
export interface LinesField {
  all: readonly { id: string; name: string }[];
  initial: readonly string[] | undefined;
}

/** The checked state of the lines field for an account's stored lines. */
export function linesChoice(field: LinesField): { every: boolean; picked: string[] } {
  const stored =
    field.initial && field.initial.length > 0 ? field.initial : field.all.slice(0, 1).map((l) => l.id);
  if (stored.includes('*')) return { every: true, picked: [] };
  return { every: false, picked: field.all.filter((l) => stored.includes(l.id)).map((l) => l.id) };
}

/** Per-operator capacity, as the server accepts it. */
const CAPACITY = /^(?:[1-9]\d?|100)$/;

interface AccountFormProps {
  mode: 'add' | 'edit';
  initial: AccountDraft;
  /** Editing one's own account: the role stays as it is (an admin cannot demote themself here). */
  self?: boolean;
  /** Offer the capacity field (editing), starting from the account's own capacity if it has one. */
  capacityField?: { initial: number | undefined };
  /** Offer the lines as checkboxes, plus "all lines" (a deployment of several lines). */
  linesField?: LinesField;
  onSubmit(
    values: AccountFormValues,
  ): Promise<{ ok: true } | { ok: false; kind: ApiFailure; fields: string[]; reason?: ErrorReason }>;
  onCancel(): void;
}

const order: readonly AccountField[] = ['username', 'displayName', 'role', 'languages'];

/** A new account, or changes to one: the same rules as `npm run operator`, checked before sending. */
export function AccountForm({
  mode,
  initial,
  self = false,
  capacityField,
  linesField,
  onSubmit,
  onCancel,
}: AccountFormProps) {
  const { t } = useI18n();
  const a = t.admin;
  const [draft, setDraft] = useState<AccountDraft>(initial);
  const [errors, setErrors] = useState<AccountErrors>({});
  const [failure, setFailure] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const [capacityText, setCapacityText] = useState(capacityField?.initial?.toString() ?? '');
  const [capacityBad, setCapacityBad] = useState(false);
  const [lineChoice, setLineChoice] = useState(() =>
    linesField ? linesChoice(linesField) : { every: false, picked: [] as string[] },
  );
  const [linesBad, setLinesBad] = useState(false);
  const first = useRef<HTMLInputElement>(null);
  const prefix = mode === 'add' ? 'account-new' : 'account-edit';
  const id = (f: AccountField) => `${prefix}-${f}`;

  useEffect(() => first.current?.focus(), []);

  const submit = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    setFailure(undefined);
    const found = accountErrors(draft, { isNew: mode === 'add' });
    setErrors(found);
    const firstBad = order.find((f) => found[f]);
    if (firstBad) {
      const el = document.getElementById(firstBad === 'languages' ? `${id('languages')}-nl` : id(firstBad));
      el?.focus();
      return;
    }
    const capacityTrimmed = capacityText.trim();
    const badCapacity =
      capacityField !== undefined && capacityTrimmed !== '' && !CAPACITY.test(capacityTrimmed);
    setCapacityBad(badCapacity);
    if (badCapacity) {
      document.getElementById(`${prefix}-capacity`)?.focus();
      return;
    }
    const noLine = linesField !== undefined && !lineChoice.every && lineChoice.picked.length === 0;
    setLinesBad(noLine);
    if (noLine) {
      document.getElementById(`${prefix}-lines-all`)?.focus();
      return;
    }
    setBusy(true);
    const res = await onSubmit({
      username: draft.username.trim(),
      displayName: draft.displayName.trim(),
      role: draft.role as OperatorRole,
      languages: orderedLanguages(draft.languages),
      ...(capacityField !== undefined && capacityTrimmed !== '' ? { capacity: Number(capacityTrimmed) } : {}),
      ...(linesField !== undefined ? { lines: lineChoice.every ? ['*'] : lineChoice.picked } : {}),
    });
    setBusy(false);
    if (res.ok) return;
    const fromServer: AccountErrors = {};
    for (const f of res.fields) {
      const field = f.split('.')[0] as AccountField;
      if (order.includes(field)) fromServer[field] = true;
    }
    setErrors(fromServer);
    if (res.fields.some((f) => f.startsWith('lines'))) setLinesBad(true);
    setFailure(
      res.reason === 'username_taken'
        ? a.errors.usernameTaken
        : res.kind === 'invalid'
          ? a.errors.invalid
          : res.kind === 'forbidden'
            ? a.errors.forbidden
            : a.errors.failed,
    );
  };

  const described = (f: AccountField, hint?: string) =>
    [hint, errors[f] ? `${id(f)}-error` : undefined].filter(Boolean).join(' ') || undefined;
  const error = (f: AccountField) =>
    errors[f] && (
      <p id={`${id(f)}-error`} class="error" data-sl="field-error" data-field={f}>
        {a.errors[f]}
      </p>
    );
  const toggleLanguage = (l: Language, on: boolean) =>
    setDraft((d) => ({ ...d, languages: on ? [...d.languages, l] : d.languages.filter((x) => x !== l) }));

  return (
    <form
      class="account-form card"
      aria-labelledby={`${prefix}-heading`}
      data-sl={mode === 'add' ? 'account-add-form' : 'account-edit-form'}
      onSubmit={submit}
      noValidate
    >
      <h3 id={`${prefix}-heading`}>{mode === 'add' ? a.addHeading : a.editHeading(initial.username)}</h3>
      {mode === 'add' && (
        <div class="field">
          <label for={id('username')}>{a.username}</label>
          <input
            ref={first}
            id={id('username')}
            data-sl="account-username"
            autocomplete="off"
            spellcheck={false}
            value={draft.username}
            aria-invalid={errors.username === true}
            aria-describedby={described('username', `${id('username')}-hint`)}
            onInput={(e) => setDraft({ ...draft, username: e.currentTarget.value })}
          />
          <p id={`${id('username')}-hint`} class="hint">
            {a.usernameHint}
          </p>
          {error('username')}
        </div>
      )}
      <div class="field">
        <label for={id('displayName')}>{a.displayName}</label>
        <input
          ref={mode === 'edit' ? first : null}
          id={id('displayName')}
          data-sl="account-display-name"
          autocomplete="off"
          value={draft.displayName}
          aria-invalid={errors.displayName === true}
          aria-describedby={described('displayName', `${id('displayName')}-hint`)}
          onInput={(e) => setDraft({ ...draft, displayName: e.currentTarget.value })}
        />
        <p id={`${id('displayName')}-hint`} class="hint">
          {a.displayNameHint}
        </p>
        {error('displayName')}
      </div>
      <div class="field">
        <label for={id('role')}>{a.role}</label>
        <select
          id={id('role')}
          data-sl="account-role"
          value={draft.role}
          disabled={self}
          aria-invalid={errors.role === true}
          aria-describedby={described('role', self ? `${id('role')}-self` : undefined)}
          onChange={(e) => setDraft({ ...draft, role: e.currentTarget.value as OperatorRole })}
        >
          {operatorRoles.map((r) => (
            <option key={r} value={r}>
              {t.operatorRoles[r]}
            </option>
          ))}
        </select>
        {self && (
          <p id={`${id('role')}-self`} class="hint">
            {a.roleSelf}
          </p>
        )}
        {error('role')}
      </div>
      <fieldset>
        <legend>{a.languages}</legend>
        {languages.map((l) => (
          <label class="choice" key={l}>
            <input
              type="checkbox"
              id={`${id('languages')}-${l}`}
              data-sl="account-language"
              data-language={l}
              checked={draft.languages.includes(l)}
              aria-describedby={errors.languages ? `${id('languages')}-error` : undefined}
              onChange={(e) => toggleLanguage(l, e.currentTarget.checked)}
            />
            {t.languages[l]}
          </label>
        ))}
        {error('languages')}
      </fieldset>
      {linesField !== undefined && (
        <fieldset data-sl="account-lines">
          <legend>{a.lines}</legend>
          <label class="choice">
            <input
              type="checkbox"
              id={`${prefix}-lines-all`}
              data-sl="account-line"
              data-line="*"
              checked={lineChoice.every}
              aria-describedby={linesBad ? `${prefix}-lines-error` : undefined}
              onChange={(e) => {
                const every = e.currentTarget.checked;
                setLineChoice((c) => ({ ...c, every }));
              }}
            />
            {a.allLines}
          </label>
          {linesField.all.map((l) => (
            <label class="choice" key={l.id}>
              <input
                type="checkbox"
                data-sl="account-line"
                data-line={l.id}
                disabled={lineChoice.every}
                checked={lineChoice.every || lineChoice.picked.includes(l.id)}
                aria-describedby={linesBad ? `${prefix}-lines-error` : undefined}
                onChange={(e) => {
                  const on = e.currentTarget.checked;
                  setLineChoice((c) => ({
                    ...c,
                    picked: linesField.all
                      .map((x) => x.id)
                      .filter((id) => (id === l.id ? on : c.picked.includes(id))),
                  }));
                }}
              />
              {l.name}
            </label>
          ))}
          {linesBad && (
            <p id={`${prefix}-lines-error`} class="error" data-sl="field-error" data-field="lines">
              {a.linesInvalid}
            </p>
          )}
        </fieldset>
      )}
      {capacityField !== undefined && (
        <div class="field">
          <label for={`${prefix}-capacity`}>{t.shift.capacity}</label>
          <input
            id={`${prefix}-capacity`}
            data-sl="account-capacity"
            type="number"
            inputMode="numeric"
            min={1}
            max={100}
            step={1}
            value={capacityText}
            aria-invalid={capacityBad}
            aria-describedby={`${prefix}-capacity-hint${capacityBad ? ` ${prefix}-capacity-error` : ''}`}
            onInput={(e) => setCapacityText(e.currentTarget.value)}
          />
          <p id={`${prefix}-capacity-hint`} class="hint">
            {t.shift.capacityHint}
          </p>
          {capacityBad && (
            <p id={`${prefix}-capacity-error`} class="error" data-sl="field-error" data-field="capacity">
              {t.shift.capacityInvalid}
            </p>
          )}
        </div>
      )}
      <div role="alert" class="error-slot">
        {failure !== undefined && (
          <p class="error" data-sl="account-error">
            {failure}
          </p>
        )}
      </div>
      <div class="buttons">
        <button type="submit" class="primary" data-sl="account-save" disabled={busy}>
          {mode === 'add' ? a.addSubmit : a.save}
        </button>
        <button type="button" onClick={onCancel}>
          {t.actions.cancel}
        </button>
      </div>
    </form>
  );
}
