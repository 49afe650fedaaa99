import { useEffect, useRef } from 'preact/hooks';
import { useI18n } from '../i18n/index.ts';

interface OneTimePasswordProps {
  username: string;
  password: string;
  /** Why there is one: a new account, or a reset. */
  reason: 'new' | 'reset';
  onDone(): void;
}

/**
 * A generated one-time password, shown this once. There is deliberately no copy
 * button: nothing of it goes to the clipboard, where other programs could read it.
 * Once hidden it cannot be shown again; the server keeps only its hash.
 */
export function OneTimePassword({ username, password, reason, onDone }: OneTimePasswordProps) {
  const { t } = useI18n();
  const a = t.admin.oneTime;
  const heading = useRef<HTMLHeadingElement>(null);

  useEffect(() => heading.current?.focus(), []);

  return (
    <section class="one-time card" aria-labelledby="one-time-heading" data-sl="one-time">
      <h3 id="one-time-heading" ref={heading} tabIndex={-1}>
        {reason === 'new' ? a.headingNew(username) : a.headingReset(username)}
      </h3>
      <p class="notice" data-sl="one-time-notice">
        <strong>{a.shownOnce}</strong> {a.notice}
      </p>
      <p class="one-time-password">
        <span class="sr-only">{a.label} </span>
        <code data-sl="one-time-password" data-username={username}>
          {password}
        </code>
      </p>
      <p class="hint">{a.afterwards}</p>
      <button type="button" class="primary" data-sl="one-time-done" onClick={onDone}>
        {a.done}
      </button>
    </section>
  );
}
