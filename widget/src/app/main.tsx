import './styles.css';
import { type ChatToHostMessage, EMBED_VERSION } from '@stille-lijn/shared/embed';
import { render } from 'preact';
import { embeddingHost } from '../common/embedding.ts';
import { adoptExitKeys, blankPage, replaceTopLocation, unblankPage } from '../common/quick-exit.ts';
import { readConfig } from './config.ts';
import { appLanguages, exitKeyStrings, isLanguage, type Language, loadCatalogue } from './i18n.ts';
import { loadedLive, loadLive } from './live-loader.ts';
import { ChatSession } from './session.ts';
import { App } from './ui/App.tsx';

/** If the loader has not taken the tab away by then, the frame leaves by itself. */
const LOADER_GRACE_MS = 500;

const config = readConfig();
const root = document.getElementById('app')!;
const session = new ChatSession(
  config.line?.id,
  { loaded: loadedLive, load: loadLive },
  { returnWindowMinutes: config.returnWindowMinutes },
);
let initialLanguage: Language = isLanguage(document.documentElement.lang)
  ? document.documentElement.lang
  : 'nl';
let lang = initialLanguage;

/**
 * The host page's origin, pinned for every postMessage, when this page runs in the
 * loader's iframe on an allowed embedding origin; undefined as a full page.
 */
const hostOrigin = embeddingHost(config.embedOrigins, window);

const tellHost = (message: ChatToHostMessage) => {
  if (hostOrigin) window.parent.postMessage(message, hostOrigin);
};

/** Quick exit: blank first, then tell the server, forget, and leave (via the loader when embedded). */
function quickExit(): void {
  blankPage();
  session.quickExit();
  render(null, root);
  if (hostOrigin) {
    tellHost({ sl: EMBED_VERSION, type: 'quick-exit' });
    setTimeout(() => replaceTopLocation(config.quickExitUrl), LOADER_GRACE_MS);
  } else {
    replaceTopLocation(config.quickExitUrl);
  }
}

// Screen readers hear how many more presses a keyboard quick exit needs.
const announcer = document.createElement('div');
announcer.className = 'sl-sr-only';
announcer.setAttribute('role', 'status');
document.body.append(announcer);
adoptExitKeys((key, left) => {
  const t = exitKeyStrings(lang);
  announcer.textContent = left === 0 ? '' : key === 'Shift' ? t.shiftLeft(left) : t.escLeft(left);
}, quickExit);

addEventListener('message', (event) => {
  if (!hostOrigin || event.source !== window.parent || event.origin !== hostOrigin) return;
  // Checked by the shared zod schema, which comes with the conversation's chunk. Before it
  // is here there is no conversation to tell, and the loader blanks and leaves by itself
  // (its answer timeout); the message is still checked and obeyed once the chunk arrives.
  const { data } = event;
  const live = loadedLive();
  if (live) {
    if (live.isHostQuickExit(data)) quickExit();
  } else {
    loadLive().then(
      (module) => module.isHostQuickExit(data) && quickExit(),
      () => {},
    );
  }
});

function show(): void {
  render(
    <App
      config={config}
      session={session}
      initialLanguage={lang}
      onMinimize={hostOrigin ? () => tellHost({ sl: EMBED_VERSION, type: 'minimize' }) : undefined}
      onQuickExit={quickExit}
      onLanguage={(next) => {
        if (next !== lang) tellHost({ sl: EMBED_VERSION, type: 'language', language: next });
        lang = next;
      }}
    />,
    root,
  );
}

// A tab put away takes the "ended and cleared" notice with it.
document.addEventListener('visibilitychange', () => {
  if (document.hidden) session.hideClearedNotice();
});

// Back after leaving: a page restored from the back/forward cache starts empty.
addEventListener('pageshow', (event) => {
  if (!event.persisted) return;
  session.forget();
  announcer.textContent = '';
  lang = initialLanguage;
  render(null, root);
  unblankPage();
  show();
});

// The page's language first (the server preloads its catalogue beside this script; Dutch
// is built in). Should it not arrive, the chat runs in Dutch rather than not at all.
loadCatalogue(initialLanguage)
  .catch(() => {
    initialLanguage = 'nl';
    lang = 'nl';
  })
  .then(() => {
    show();
    tellHost({ sl: EMBED_VERSION, type: 'ready' });
    // Then what the start screen does not need: the conversation's chunk (a failure is
    // retried on Start), and the other languages, so that a switch needs no request.
    setTimeout(() => {
      loadLive().catch(() => {});
      for (const code of appLanguages) loadCatalogue(code).catch(() => {});
    }, 0);
  });
