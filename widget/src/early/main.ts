/**
 * The chat page's first script, inlined into `/chat` (allowed by its hash in the page's
 * CSP) ahead of the app: it hears the quick-exit keys from the first instant, while the
 * app is still on its way over a slow line. Until the app adopts the watcher, a quick
 * exit here leaves as the app would, minus the server (no conversation exists yet):
 * blank at once, tell the loader when embedded, replace the top window's address.
 *
 * Kept tiny: the keys, the embedding check and the config block, nothing else.
 */
import { type ChatToHostMessage, EMBED_VERSION } from '@stille-lijn/shared/embed';
import { embeddingHost } from '../common/embedding.ts';
import {
  blankPage,
  EARLY_EXIT_KEYS,
  type EarlyExitKeys,
  replaceTopLocation,
  watchExitKeys,
} from '../common/quick-exit.ts';

/** As in the app (main.tsx): if the loader has not taken the tab away by then, leave alone. */
const LOADER_GRACE_MS = 500;

function leave(): void {
  blankPage();
  let config: { quickExitUrl?: unknown; embedOrigins?: unknown } = {};
  try {
    config = JSON.parse(document.getElementById('sl-config')?.textContent ?? '{}');
  } catch {
    // The defaults below.
  }
  const url =
    typeof config.quickExitUrl === 'string' && /^https?:\/\//.test(config.quickExitUrl)
      ? config.quickExitUrl
      : 'https://www.buienradar.nl/';
  const origins = Array.isArray(config.embedOrigins)
    ? config.embedOrigins.filter((o) => typeof o === 'string')
    : [];
  const host = embeddingHost(origins, window);
  if (host) {
    const message: ChatToHostMessage = { sl: EMBED_VERSION, type: 'quick-exit' };
    window.parent.postMessage(message, host);
    setTimeout(() => replaceTopLocation(url), LOADER_GRACE_MS);
  } else {
    replaceTopLocation(url);
  }
}

let onProgress: Parameters<EarlyExitKeys>[0] = () => {};
let onExit: () => void = leave;
watchExitKeys(
  window,
  (key, left) => onProgress(key, left),
  () => onExit(),
);
const adopt: EarlyExitKeys = (progress, exit) => {
  onProgress = progress;
  onExit = exit;
};
Object.defineProperty(window, EARLY_EXIT_KEYS, { value: adopt });
