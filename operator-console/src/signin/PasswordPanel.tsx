import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '@stille-lijn/shared/rest';
import { useEffect, useRef, useState } from 'preact/hooks';
import { useI18n } from '../i18n/index.ts';
import type { WorkspaceCommands } from '../state/useWorkspace.ts';
import {
  changePassword,
  type PasswordDraft,
  type PasswordErrors,
  type PasswordField,
  type PasswordFieldError,
  passwordErrors,
} from './password.ts';
import './password-panel.css';

interface PasswordPanelProps {
  /** Signed in with a one-time password: the panel opens with the prompt to replace it. */
  prompt: boolean;
  /** The form is shown (the prompt's "choose now", or the header's "change password"). */
  formOpen: boolean;
  onOpenForm(): void;
  /** "Later" or "Cancel": the panel goes away for now. */
  onClose(): void;
  onChanged(): void;
  onUnauthorized(): void;
  /** The workspace's: a change renews the session, and the console goes on with the new one. */
  renewSession: WorkspaceCommands['renewSession'];
}

const empty: PasswordDraft = { currentPassword: '', newPassword: '', repeat: '' };
const order: readonly PasswordField[] = ['currentPassword', 'newPassword', 'repeat'];
const inputId = (f: PasswordField) => `password-${f}`;
const hooks: Record<PasswordField, string> = {
  currentPassword: 'password-current',
  newPassword: 'password-new',
  repeat: 'password-repeat',
};

/**
 * The operator's own password, in a band between the header and the workspace: never a
 * dialog and never over anything, so that someone signed in with a one-time password can
 * go straight on to work and choose a password when there is a moment. With `prompt` it
 * says why; the form checks the server's rules before sending.
 */
export function PasswordPanel({
  prompt,
  formOpen,
  onOpenForm,
  onClose,
  onChanged,
  onUnauthorized,
  renewSession,
}: PasswordPanelProps) {
  const { t } = useI18n();
  const p = t.password;
  const [draft, setDraft] = useState<PasswordDraft>(empty);
  const [errors, setErrors] = useState<PasswordErrors>({});
  const [failure, setFailure] = useState<'throttled' | 'failed' | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const first = useRef<HTMLInputElement>(null);

  useEffect(() => {
    if (formOpen) first.current?.focus();
  }, [formOpen]);

  const focusFirstBad = (found: PasswordErrors) => {
    const bad = order.find((f) => found[f]);
    if (bad) document.getElementById(inputId(bad))?.focus();
  };

  const submit = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    setFailure(undefined);
    const found = passwordErrors(draft);
    setErrors(found);
    if (Object.keys(found).length > 0) return focusFirstBad(found);
    setBusy(true);
    const body = { currentPassword: draft.currentPassword, newPassword: draft.newPassword };
    const res = await renewSession(
      () => changePassword(body),
      (r) => r.ok,
    );
    setBusy(false);
    if (res.ok) {
      setDraft(empty);
      return onChanged();
    }
    if (res.kind === 'unauthorized') return onUnauthorized();
    if (res.kind === 'invalid') {
      setErrors(res.errors);
      if (res.errors.currentPassword) setDraft((d) => ({ ...d, currentPassword: '' }));
      return focusFirstBad(res.errors);
    }
    setFailure(res.kind);
  };

  const message = (error: PasswordFieldError): string => {
    switch (error) {
      case 'required':
        return p.errors.currentRequired;
      case 'wrong':
        return p.errors.currentWrong;
      case 'length':
        return p.errors.length(PASSWORD_MIN_LENGTH, PASSWORD_MAX_LENGTH);
      case 'same':
        return p.errors.same;
      case 'mismatch':
        return p.errors.mismatch;
    }
  };

  const field = (f: PasswordField, label: string, autocomplete: string, hint?: string) => {
    const error = errors[f];
    const hintId = hint ? `${inputId(f)}-hint` : undefined;
    const errorId = error ? `${inputId(f)}-error` : undefined;
    return (
      <div class="field">
        <label for={inputId(f)}>{label}</label>
        <input
          ref={f === 'currentPassword' ? first : null}
          id={inputId(f)}
          data-sl={hooks[f]}
          type="password"
          autocomplete={autocomplete}
          maxLength={PASSWORD_MAX_LENGTH}
          value={draft[f]}
          aria-invalid={error !== undefined}
          aria-describedby={[hintId, errorId].filter(Boolean).join(' ') || undefined}
          onInput={(e) => {
            const value = e.currentTarget.value;
            setDraft((d) => ({ ...d, [f]: value }));
          }}
        />
        {hint && (
          <p id={hintId} class="hint">
            {hint}
          </p>
        )}
        {error && (
          <p id={errorId} class="error" data-sl="field-error" data-field={f}>
            {message(error)}
          </p>
        )}
      </div>
    );
  };

  return (
    <section
      class="account-notice password-panel"
      aria-labelledby="password-panel-heading"
      data-sl={prompt ? 'password-prompt' : 'password-panel'}
    >
      <h2 id="password-panel-heading">{prompt ? p.promptHeading : p.heading}</h2>
      {prompt && <p>{p.promptText}</p>}
      {!formOpen && (
        <div class="buttons">
          <button type="button" class="primary" data-sl="password-prompt-open" onClick={onOpenForm}>
            {p.promptChoose}
          </button>
          <button type="button" data-sl="password-prompt-dismiss" onClick={onClose}>
            {p.promptLater}
          </button>
        </div>
      )}
      {formOpen && (
        <form class="card" aria-label={p.heading} data-sl="password-form" onSubmit={submit} noValidate>
          <p class="hint">{p.intro}</p>
          {field('currentPassword', p.current, 'current-password', p.currentHint)}
          {field('newPassword', p.next, 'new-password', p.nextHint(PASSWORD_MIN_LENGTH))}
          {field('repeat', p.repeat, 'new-password')}
          <div role="alert" class="error-slot">
            {failure && (
              <p class="error" data-sl="password-error" data-kind={failure}>
                {failure === 'throttled' ? p.errors.throttled : p.errors.failed}
              </p>
            )}
          </div>
          <div class="buttons">
            <button type="submit" class="primary" data-sl="password-submit" disabled={busy}>
              {busy ? p.submitting : p.submit}
            </button>
            <button type="button" data-sl="password-cancel" onClick={onClose}>
              {p.cancel}
            </button>
          </div>
        </form>
      )}
    </section>
  );
}
