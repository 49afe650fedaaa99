import type { ComponentChildren } from 'preact';
import { type Messages, useI18n } from '../i18n/index.ts';
import { errorKey, isIdentifyingField } from './draft.ts';

/** The id of the control for a form field: `people.children.0.age` → `report-people-children-0-age`. */
export const fieldId = (field: string) => `report-${field.replace(/\./g, '-')}`;
export const errorId = (field: string) => `${fieldId(field)}-error`;

/** The message for a wrong field; identifying details without consent get the consent rule. */
export function errorText(t: Messages, field: string, identifyAllowed: boolean): string {
  if (isIdentifyingField(field) && !identifyAllowed) return t.report.errors.identifying;
  const byKey = t.report.errors as Record<string, string>;
  return byKey[errorKey(field)] ?? t.report.errors.other;
}

/** The label of a form field, for the error summary. */
export function fieldLabel(t: Messages, field: string): string {
  const child = /^people\.children\.(\d+)\.(age|name)$/.exec(field);
  if (child) {
    const n = Number(child[1]) + 1;
    return child[2] === 'age' ? t.report.people.childAge(n) : t.report.people.childName(n);
  }
  const byKey = t.report.fields as Record<string, string>;
  return byKey[errorKey(field)] ?? field;
}

export interface FieldState {
  errors: ReadonlySet<string>;
  identifyAllowed: boolean;
}

/** The error under a control, when its field is wrong. */
export function FieldError({ field, state }: { field: string; state: FieldState }) {
  const { t } = useI18n();
  if (!state.errors.has(field)) return null;
  return (
    <p id={errorId(field)} class="error" data-sl="field-error" data-field={field}>
      {errorText(t, field, state.identifyAllowed)}
    </p>
  );
}

/** `aria-invalid` and `aria-describedby` for a control. */
export function invalidProps(field: string, state: FieldState, hint?: string) {
  const bad = state.errors.has(field);
  const describedBy = [hint, bad ? errorId(field) : undefined].filter(Boolean).join(' ');
  return { 'aria-invalid': bad, 'aria-describedby': describedBy === '' ? undefined : describedBy };
}

interface TextFieldProps {
  field: string;
  label: string;
  value: string;
  state: FieldState;
  onInput(value: string): void;
  multiline?: boolean;
  hint?: string;
  identifying?: boolean;
  inputMode?: 'numeric' | 'tel' | 'email' | 'text';
  type?: 'text' | 'tel' | 'email';
  children?: ComponentChildren;
}

/** A labelled text input or textarea with its hint and error. Never autocompleted. */
export function TextField({
  field,
  label,
  value,
  state,
  onInput,
  multiline = false,
  hint,
  identifying = false,
  inputMode,
  type = 'text',
}: TextFieldProps) {
  const { t } = useI18n();
  const id = fieldId(field);
  const hintId = hint !== undefined ? `${id}-hint` : undefined;
  const common = {
    id,
    'data-sl': `report-${field.replace(/\.\d+\./g, '.').replace(/\./g, '-')}`,
    'data-field': field,
    autocomplete: 'off',
    value,
    ...invalidProps(field, state, hintId),
  };
  return (
    <div class="field">
      <label for={id}>
        {label}
        {identifying && <span class="badge badge-identifying"> {t.report.identifying.badge}</span>}
      </label>
      {multiline ? (
        <textarea {...common} rows={3} onInput={(e) => onInput(e.currentTarget.value)} />
      ) : (
        <input
          {...common}
          type={type}
          inputMode={inputMode}
          onInput={(e) => onInput(e.currentTarget.value)}
        />
      )}
      {hint !== undefined && (
        <p id={hintId} class="hint">
          {hint}
        </p>
      )}
      <FieldError field={field} state={state} />
    </div>
  );
}
