import { useEffect, useRef, useState } from 'preact/hooks';
import { type AppConfig, COUNTER_FROM, MAX_TEXT } from '../config.ts';
import type { Catalogue } from '../i18n.ts';
import type { ChatSession, ChatState, Entry } from '../session.ts';
import { DangerNotice, ScreenHeading } from './parts.tsx';

interface Props {
  t: Catalogue;
  config: AppConfig;
  session: ChatSession;
  state: ChatState;
}

/** Waiting, chatting and ended: one screen, so the messages stay in place throughout. */
export function ConversationScreen({ t, config, session, state }: Props) {
  const { phase } = state;
  const name = state.operatorName ?? t.operatorFallback;
  const heading =
    phase === 'active' ? t.talkingWith(name) : phase === 'ended' ? t.ended.visitor : t.waitingTitle;
  const [confirming, setConfirming] = useState(false);
  const log = useRef<HTMLOListElement>(null);
  const count = state.entries.length;

  // Keep the newest message in view.
  useEffect(() => {
    log.current?.lastElementChild?.scrollIntoView({ block: 'nearest' });
  }, [count, state.operatorTyping]);

  return (
    <div class="sl-screen sl-conversation">
      {!state.online && (
        <p class="sl-banner" data-sl="offline-banner" role="status">
          {t.offline}
        </p>
      )}
      <ScreenHeading text={heading} focus />
      {state.returnCode && (
        <section class="sl-code" aria-label={t.returnLabel}>
          <p>
            {t.yourReturnCode}{' '}
            <strong class="sl-code-value" data-sl="return-code">
              {state.returnCode}
            </strong>
          </p>
          <p class="sl-hint">
            {t.returnCodeHelp(config.returnWindowMinutes)} {t.returnCodeAdvice}
          </p>
        </section>
      )}
      {state.urgent && phase !== 'ended' && <DangerNotice t={t} />}
      {phase === 'waiting' && <Waiting t={t} config={config} state={state} />}

      <div role="log" aria-live="polite" aria-label={t.messagesLabel}>
        <ol class="sl-log" ref={log}>
          {state.entries.map((entry) => (
            <MessageLine
              key={entry.key}
              t={t}
              entry={entry}
              name={name}
              onRetry={(id) => session.retry(id)}
            />
          ))}
        </ol>
      </div>
      {state.operatorTyping && (
        <p class="sl-typing" data-sl="typing">
          {t.typing(name)}
        </p>
      )}

      {phase === 'ended' ? (
        <div class="sl-ended">
          <p role="status">{t.ended[state.endReason ?? 'visitor']}</p>
          <button type="button" class="sl-primary" onClick={() => session.forget()}>
            {t.clear}
          </button>
        </div>
      ) : (
        <>
          <Composer t={t} session={session} />
          <button type="button" class="sl-secondary" data-sl="end" onClick={() => setConfirming(true)}>
            {t.end}
          </button>
        </>
      )}
      {confirming && (
        <EndDialog t={t} onConfirm={() => session.end()} onCancel={() => setConfirming(false)} />
      )}
    </div>
  );
}

function Waiting({ t, config, state }: { t: Catalogue; config: AppConfig; state: ChatState }) {
  const wait = state.estimatedWaitSeconds;
  return (
    <section class="sl-waiting" aria-label={t.waitingTitle}>
      <p data-sl="queue-position">{t.position(state.position ?? 1)}</p>
      <p>{t.wait(wait)}</p>
      {wait !== null && wait > config.waitAlternativesSeconds && (
        <div class="sl-alternatives">
          <h2>{t.alternativesTitle}</h2>
          <p>{t.alternativesText}</p>
          <ul>
            <li>
              <a href="tel:08002000">{t.veiligThuis}</a>
            </li>
            <li>
              <a href="tel:112">{t.danger112}</a>
            </li>
          </ul>
        </div>
      )}
      <p class="sl-hint">{t.waitWrite}</p>
    </section>
  );
}

interface LineProps {
  t: Catalogue;
  entry: Entry;
  name: string;
  onRetry: (clientMessageId: string) => void;
}

function MessageLine({ t, entry, name, onRetry }: LineProps) {
  if (entry.from === 'notice') {
    return <li class="sl-notice">{t.assigned(entry.text || t.operatorFallback)}</li>;
  }
  const who = entry.from === 'visitor' ? t.you : entry.from === 'operator' ? name : t.helpline;
  const { status, clientMessageId, failReason } = entry;
  // Sending again helps after a lost answer, and once a counsellor is there; not once the
  // conversation is full or over.
  const canRetry = failReason === undefined || failReason === 'waiting_messages';
  return (
    <li
      class={`sl-message sl-from-${entry.from}`}
      data-sl="message"
      data-from={entry.from}
      data-status={status}
    >
      <span class="sl-who">{who}</span>
      <p class="sl-text">{entry.text}</p>
      {status === 'pending' && <span class="sl-status">{t.pending}</span>}
      {status === 'sent' && <span class="sl-status">{t.sent}</span>}
      {status === 'failed' && (
        <span class="sl-status sl-failed" data-reason={failReason}>
          {failReason ? t.refused[failReason] : t.failed}{' '}
          {clientMessageId && canRetry && (
            <button type="button" class="sl-link" onClick={() => onRetry(clientMessageId)}>
              {t.retry}
            </button>
          )}
        </span>
      )}
    </li>
  );
}

function Composer({ t, session }: { t: Catalogue; session: ChatSession }) {
  const [text, setText] = useState('');
  const left = MAX_TEXT - text.length;
  const submit = () => {
    if (session.send(text)) setText('');
  };
  return (
    <form
      class="sl-composer"
      autocomplete="off"
      onSubmit={(event) => {
        event.preventDefault();
        submit();
      }}
    >
      <label for="sl-composer-text">{t.composerLabel}</label>
      <textarea
        id="sl-composer-text"
        data-sl="composer"
        autocomplete="off"
        rows={2}
        maxLength={MAX_TEXT}
        aria-describedby="sl-composer-hint"
        value={text}
        onInput={(event) => {
          setText(event.currentTarget.value);
          session.typing();
        }}
        onKeyDown={(event) => {
          if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
            event.preventDefault();
            submit();
          }
        }}
      />
      <p id="sl-composer-hint" class="sl-hint">
        {t.composerHint}
      </p>
      {text.length >= COUNTER_FROM && (
        <p class="sl-counter" aria-live="polite">
          {t.charsLeft(left)}
        </p>
      )}
      <button type="submit" class="sl-primary" data-sl="send">
        {t.send}
      </button>
    </form>
  );
}

interface DialogProps {
  t: Catalogue;
  onConfirm: () => void;
  onCancel: () => void;
}

function EndDialog({ t, onConfirm, onCancel }: DialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    dialog?.showModal();
    return () => dialog?.close();
  }, []);
  return (
    <dialog
      ref={ref}
      class="sl-dialog"
      aria-labelledby="sl-end-title"
      aria-describedby="sl-end-text"
      onClose={onCancel}
    >
      <h2 id="sl-end-title">{t.endConfirmTitle}</h2>
      <p id="sl-end-text">{t.endConfirmText}</p>
      <div class="sl-actions">
        <button type="button" class="sl-danger-button" data-sl="end-confirm" onClick={onConfirm}>
          {t.endConfirm}
        </button>
        <button type="button" class="sl-secondary" onClick={onCancel}>
          {t.endCancel}
        </button>
      </div>
    </dialog>
  );
}
