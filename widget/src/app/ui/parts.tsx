import type { JSX } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import type { Catalogue } from '../i18n.ts';

/** A screen's heading; it takes focus when the screen replaces another (not on first load). */
export function ScreenHeading({ text, focus }: { text: string; focus: boolean }) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    if (focus) ref.current?.focus();
  }, [focus]);
  return (
    <h1 ref={ref} tabIndex={-1}>
      {text}
    </h1>
  );
}

/** The 112 box, shown when the visitor says they are in danger right now. */
export function DangerNotice({ t }: { t: Catalogue }) {
  return (
    <section class="sl-danger" aria-labelledby="sl-danger-title">
      <h2 id="sl-danger-title">{t.urgentTitle}</h2>
      <p>{t.urgentText}</p>
      <a class="sl-call" href="tel:112">
        {t.call112}
      </a>
    </section>
  );
}

/**
 * 0800-2000 (Veilig Thuis, free, 24/7) and 112, as phone links: while waiting with nobody
 * staffed or a long wait, and wherever the chat refuses the visitor. Never a notification.
 */
export function Alternatives({ t, title, text }: { t: Catalogue; title?: string; text: string }) {
  return (
    <section
      class="sl-alternatives"
      data-sl="alternatives"
      aria-labelledby={title ? 'sl-alternatives-title' : undefined}
      aria-label={title ? undefined : t.alternativesNowTitle}
    >
      {title && <h2 id="sl-alternatives-title">{title}</h2>}
      <p>{text}</p>
      <ul>
        <li>
          <a href="tel:08002000">{t.veiligThuis}</a>
        </li>
        <li>
          <a href="tel:112">{t.danger112}</a>
        </li>
      </ul>
    </section>
  );
}

/**
 * A start or return that did not work: its alert (`text`, with `alert`'s attributes) and,
 * under it, the numbers that are always there, never a bare error. The screen's own button
 * stays for a retry.
 */
export function FailedWithNumbers({
  t,
  sl,
  text,
  alert,
}: {
  t: Catalogue;
  /** The wrapper's `data-sl`. */
  sl?: string;
  text: string;
  alert?: JSX.HTMLAttributes<HTMLParagraphElement> & Record<`data-${string}`, string | number>;
}) {
  return (
    <div data-sl={sl}>
      <p class="sl-error" role="alert" {...alert}>
        {text}
      </p>
      <Alternatives t={t} text={t.alternativesNowText} />
    </div>
  );
}
