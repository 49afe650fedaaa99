import { useEffect, useRef, useState } from 'preact/hooks';
import { type AppConfig, COUNTER_FROM, MAX_TEXT } from '../config.ts';
import type { Catalogue } from '../i18n.ts';
import type { ChatSession, ChatState, Entry, Refusal } from '../session.ts';
import { showAlternatives, waitWords } from '../wait.ts';
import { Alternatives, DangerNotice, ScreenHeading } from './parts.tsx';

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
          {state.endReason === 'blocked' && <Alternatives t={t} text={t.alternativesNowText} />}
          <button type="button" class="sl-primary" onClick={() => session.forget()}>
            {t.clear}
          </button>
        </div>
      ) : (
        <>
          {state.refused && (
            <div class="sl-refusal" data-sl="message-refused" data-reason={state.refused.reason}>
              <p id="sl-refusal-text" role="alert">
                {t.refused[state.refused.reason]}
              </p>
              {state.refused.reason === 'conversation-full' && (
                <Alternatives t={t} text={t.alternativesNowText} />
              )}
            </div>
          )}
          <Composer t={t} session={session} refused={state.refused} />
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

/** Languages every operator may answer in once the language fallback applies. */
const FALLBACK_LANGUAGES: readonly string[] = ['nl', 'en'];

function Waiting({ t, config, state }: { t: Catalogue; config: AppConfig; state: ChatState }) {
  const { staffed } = state;
  const high = state.estimatedWaitSeconds;
  const alternatives = showAlternatives({ staffed, high, longWaitSeconds: config.waitAlternativesSeconds });
  // Told beforehand: once the fallback applies, and already while nobody speaking the language is on.
  const fallback = state.languageFallback
    ? 'now'
    : staffed === false && state.language && !FALLBACK_LANGUAGES.includes(state.language)
      ? 'soon'
      : undefined;
  return (
    <section class="sl-waiting" aria-label={t.waitingTitle}>
      <p data-sl="queue-position">{t.position(state.position ?? 1)}</p>
      <p
        role="status"
        data-sl="wait-estimate"
        data-staffed={staffed === undefined ? undefined : String(staffed)}
      >
        {t.wait(waitWords({ staffed, low: state.estimatedWaitMinSeconds, high }))}
      </p>
      {fallback && (
        <p class="sl-info" data-sl="language-fallback" data-state={fallback}>
          {fallback === 'now' ? t.languageFallbackNow : t.languageFallbackSoon}
        </p>
      )}
      {alternatives && (
        <Alternatives
          t={t}
          title={staffed === false ? t.alternativesNowTitle : t.alternativesTitle}
          text={staffed === false ? t.alternativesNowText : t.alternativesText}
        />
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
  const { status, clientMessageId } = entry;
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
        <span class="sl-status sl-failed">
          {t.failed}{' '}
          {clientMessageId && (
            <button type="button" class="sl-link" onClick={() => onRetry(clientMessageId)}>
              {t.retry}
            </button>
          )}
        </span>
      )}
    </li>
  );
}

function Composer({
  t,
  session,
  refused,
}: {
  t: Catalogue;
  session: ChatSession;
  refused: Refusal | undefined;
}) {
  const [text, setText] = useState('');
  const field = useRef<HTMLTextAreaElement>(null);
  const left = MAX_TEXT - text.length;
  // A refused message was not stored: its text comes back, ahead of anything typed since.
  useEffect(() => {
    if (!refused) return;
    setText((now) => (now.trim() ? `${refused.text}\n${now}` : refused.text).slice(0, MAX_TEXT));
    field.current?.focus();
  }, [refused?.seq]);
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
        ref={field}
        data-sl="composer"
        autocomplete="off"
        // The victim's words never go to a cloud spellchecker (autocorrect stays: phones).
        spellcheck={false}
        rows={2}
        maxLength={MAX_TEXT}
        aria-describedby={refused ? 'sl-composer-hint sl-refusal-text' : 'sl-composer-hint'}
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
