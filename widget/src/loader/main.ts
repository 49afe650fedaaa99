/// <reference types="vite/client" />
/**
 * The loader, for host pages: `<script src="https://<helpline>/widget.js" async></script>`.
 * Optional data- attributes: `data-line` (the helpline's line id), `data-lang` (nl, en, ar,
 * tr, pl), `data-position` (`right` or `left`) and `data-label` (the launcher's text).
 *
 * It adds the quick-exit control (first in the host page's tab order), the launcher and,
 * when opened, an iframe to /chat on the helpline origin (this script's own origin).
 * Styles are set through the CSSOM only, so a host page's strict CSP does not block
 * them. The only global is `window.StilleLijn`.
 */
import {
  chatToHostMessages,
  EMBED_VERSION,
  type EmbedLanguage,
  embedLanguages,
  type HostToChatMessage,
  isEmbedMessage,
} from '@stille-lijn/shared/embed';
import type { LoaderStrings } from '../common/i18n/nl.ts';
import { blankPage, replaceTopLocation, unblankPage, watchExitKeys } from '../common/quick-exit.ts';

/** Replaced by the server with QUICK_EXIT_URL when it serves this file. */
const CONFIGURED_EXIT_URL = '__SL_QUICK_EXIT_URL__';
const QUICK_EXIT_URL = CONFIGURED_EXIT_URL.startsWith('__')
  ? 'https://www.buienradar.nl/'
  : CONFIGURED_EXIT_URL;
/** How long the host page waits for the chat to tell the server before it leaves. */
const FRAME_ANSWER_MS = 300;
const Z_TOP = '2147483647';

const catalogues = import.meta.glob<LoaderStrings>('../common/i18n/*.ts', { eager: true, import: 'loader' });
const stringsFor = (lang: EmbedLanguage): LoaderStrings =>
  catalogues[`../common/i18n/${lang}.ts`] ?? catalogues['../common/i18n/nl.ts']!;
const supported = (value: string | undefined): EmbedLanguage | undefined =>
  embedLanguages.find((lang) => lang === value?.slice(0, 2).toLowerCase());

type Style = Partial<Record<keyof CSSStyleDeclaration, string>>;
const styled = <K extends keyof HTMLElementTagNameMap>(tag: K, style: Style): HTMLElementTagNameMap[K] => {
  const element = document.createElement(tag);
  Object.assign(element.style, style);
  return element;
};
/** A fixed element whose open shadow root holds one landmark, labelled later by `relabel`. */
const shadowHost = (style: Style): HTMLElement => {
  const root = styled('div', { position: 'fixed', zIndex: Z_TOP, ...style }).attachShadow({ mode: 'open' });
  return root.appendChild(document.createElement('aside'));
};

const hidden: Style = {
  position: 'absolute',
  width: '1px',
  height: '1px',
  overflow: 'hidden',
  clipPath: 'inset(50%)',
};
const button: Style = {
  font: '600 16px/1.2 system-ui, sans-serif',
  minHeight: '44px',
  padding: '10px 16px',
  border: '2px solid #fff',
  borderRadius: '22px',
  color: '#fff',
  cursor: 'pointer',
  boxShadow: '0 2px 8px rgba(0,0,0,.3)',
};

/**
 * Whether this page may show the chat of `line`: asks the helpline (`GET /api/lines/:id`,
 * never cached, no cookies, no referrer). An unknown line or an origin the line does not list
 * gets a console error for the page's builder and no launcher. When the answer does not come
 * (the host's CSP lacks connect-src, the network), the launcher shows as before: the chat's
 * frame-ancestors still keeps it out of pages the line does not list.
 */
async function checkLine(helplineOrigin: string, line: string): Promise<boolean> {
  const fail = (why: string) => {
    console.error(`Stille Lijn: ${why}`);
    return false;
  };
  if (!/^[a-z0-9][a-z0-9-]{0,39}$/.test(line))
    return fail(`data-line="${line.slice(0, 40)}" is not a line id`);
  try {
    const res = await fetch(`${helplineOrigin}/api/lines/${line}`, {
      cache: 'no-store',
      credentials: 'omit',
      referrerPolicy: 'no-referrer',
    });
    if (res.status === 404) return fail(`${helplineOrigin} has no line ${line}; check data-line`);
    const body: unknown = res.ok ? await res.json() : undefined;
    if ((body as { embeddable?: unknown } | undefined)?.embeddable === false) {
      return fail(
        `${location.origin} is not allowed to embed line ${line}; add it to embedOrigins in LINES_FILE`,
      );
    }
  } catch {
    // No answer: as without lines.
  }
  return true;
}

function install(script: HTMLScriptElement): void {
  const helplineOrigin = new URL(script.src, location.href).origin;
  const { lang: langAttr, position, label, line } = script.dataset;
  const side = position === 'left' ? 'left' : 'right';
  let lang = supported(langAttr) ?? supported(document.documentElement.lang) ?? 'nl';
  let frame: HTMLIFrameElement | undefined;
  /** True once the chat in `frame` said `ready`: its own quick-exit keys are listening. */
  let frameReady = false;
  let exiting = false;
  let gone = false;
  /** False once the helpline said this page may not embed the line: then no chat opens. */
  let allowed = true;

  // Quick exit comes first in the document, so it is the host page's first tab stop.
  const exitArea = shadowHost({ top: '8px', [side]: '8px' });
  const exitButton = styled('button', { ...button, background: '#a4001d' });
  exitButton.type = 'button';
  exitButton.dataset.sl = 'quick-exit';
  // "Skip to the chat", visible only when focused: a button, so it can never navigate.
  const skipLink = styled('button', hidden);
  skipLink.type = 'button';
  const live = styled('div', hidden);
  live.setAttribute('role', 'status');
  exitArea.append(exitButton, skipLink, live);

  const widgetArea = shadowHost({ bottom: '16px', [side]: '16px', zIndex: '2147483646' });
  const launcher = styled('button', { ...button, background: '#1d4f91' });
  launcher.type = 'button';
  launcher.dataset.sl = 'launcher';
  launcher.setAttribute('aria-expanded', 'false');
  const panel = styled('div', {
    display: 'none',
    position: 'fixed',
    background: '#fff',
    boxShadow: '0 4px 24px rgba(0,0,0,.35)',
    overflow: 'hidden',
  });
  widgetArea.append(panel, launcher);
  const hosts = [exitArea, widgetArea].map((landmark) => (landmark.getRootNode() as ShadowRoot).host);

  // Full screen under the quick-exit bar on small screens, a floating panel otherwise.
  const narrow = matchMedia('(max-width: 480px)');
  const layout = () => {
    const open = launcher.getAttribute('aria-expanded') === 'true';
    Object.assign(
      panel.style,
      narrow.matches
        ? {
            top: '60px',
            bottom: '0',
            left: '0',
            right: '0',
            width: 'auto',
            height: 'auto',
            borderRadius: '0',
          }
        : {
            top: 'auto',
            bottom: '88px',
            left: side === 'left' ? '16px' : 'auto',
            right: side === 'right' ? '16px' : 'auto',
            width: 'min(400px, calc(100vw - 32px))',
            height: 'min(640px, calc(100vh - 112px))',
            borderRadius: '12px',
          },
    );
    panel.style.display = open ? 'block' : 'none';
    launcher.style.display = open && narrow.matches ? 'none' : 'inline-block';
  };
  narrow.addEventListener('change', layout);

  const relabel = () => {
    const strings = stringsFor(lang);
    exitButton.textContent = strings.quickExit;
    skipLink.textContent = strings.skipToChat;
    launcher.textContent = label ?? strings.launcher;
    if (frame) frame.title = strings.frameTitle;
    exitArea.setAttribute('aria-label', strings.quickExit);
    widgetArea.setAttribute('aria-label', strings.frameTitle);
    for (const host of hosts) {
      host.setAttribute('lang', lang);
      host.setAttribute('dir', strings.dir);
    }
  };

  const setOpen = (open: boolean, moveFocus = true) => {
    if (open && !allowed) return;
    if (open && !frame) {
      frame = styled('iframe', { border: '0', width: '100%', height: '100%', display: 'block' });
      // The address is set before the frame is attached, so opening adds no history entry.
      const params = new URLSearchParams({ embed: '1', lang, host: location.origin });
      if (line) params.set('line', line);
      frame.src = `${helplineOrigin}/chat?${params}`;
      frame.referrerPolicy = 'no-referrer';
      frame.title = stringsFor(lang).frameTitle;
      panel.append(frame);
    }
    launcher.setAttribute('aria-expanded', String(open));
    layout();
    // Focus enters the frame only once the chat is listening for the quick-exit keys
    // (its `ready`); until then it stays on this page, whose own watcher hears them.
    if (moveFocus && (!open || frameReady)) (open ? frame : launcher)?.focus();
  };

  const go = () => {
    if (gone) return;
    gone = true;
    replaceTopLocation(QUICK_EXIT_URL);
  };
  /** Blanks the host page at once; the chat (if any) tells the server, then the tab leaves. */
  const quickExit = (answeredByChat: boolean) => {
    blankPage();
    if (answeredByChat || exiting || !frame?.contentWindow) return go();
    exiting = true;
    const message: HostToChatMessage = { sl: EMBED_VERSION, type: 'quick-exit' };
    frame.contentWindow.postMessage(message, helplineOrigin);
    setTimeout(go, FRAME_ANSWER_MS);
  };

  exitButton.addEventListener('click', () => quickExit(false));
  launcher.addEventListener('click', () => setOpen(launcher.getAttribute('aria-expanded') !== 'true'));
  skipLink.addEventListener('click', () => setOpen(true));
  for (const [type, style] of [
    ['focus', { position: 'static', width: 'auto', height: 'auto', clipPath: 'none', padding: '8px' }],
    ['blur', hidden],
  ] as const) {
    skipLink.addEventListener(type, () =>
      Object.assign(skipLink.style, { ...style, background: '#fff', color: '#000' }),
    );
  }
  watchExitKeys(
    window,
    (key, left) => {
      const strings = stringsFor(lang);
      live.textContent = left === 0 ? '' : key === 'Shift' ? strings.shiftLeft(left) : strings.escLeft(left);
    },
    () => quickExit(false),
  );

  addEventListener('message', (event) => {
    if (!frame || event.source !== frame.contentWindow || event.origin !== helplineOrigin) return;
    const message: unknown = event.data;
    if (!isEmbedMessage(chatToHostMessages, message)) return;
    if (message.type === 'quick-exit') quickExit(true);
    else if (message.type === 'minimize') setOpen(false);
    else if (message.type === 'ready') {
      frameReady = true;
      if (launcher.getAttribute('aria-expanded') === 'true') frame.focus();
    } else {
      lang = message.language;
      relabel();
    }
  });

  // A host page whose CSP leaves the helpline out of frame-src gets an empty panel; say why
  // where its developers look. Quick exit does not need the frame and keeps working.
  document.addEventListener('securitypolicyviolation', (event) => {
    if (event.effectiveDirective !== 'frame-src' || !event.blockedURI.startsWith(helplineOrigin)) return;
    console.error(
      `Stille Lijn: this page's Content-Security-Policy blocks the chat; add frame-src ${helplineOrigin} (and script-src ${helplineOrigin})`,
    );
  });

  // Back after leaving: a page restored from the back/forward cache shows an empty widget.
  addEventListener('pageshow', (event) => {
    if (!event.persisted) return;
    frame?.remove();
    frame = undefined;
    exiting = gone = frameReady = false;
    live.textContent = '';
    setOpen(false, false);
    unblankPage();
  });

  relabel();
  layout();
  document.body.prepend(hosts[0]!);
  if (line === undefined) document.body.append(hosts[1]!);
  else
    void checkLine(helplineOrigin, line).then((ok) => {
      allowed = ok;
      if (ok) document.body.append(hosts[1]!);
    });
  Object.defineProperty(window, 'StilleLijn', {
    value: Object.freeze({
      version: EMBED_VERSION,
      open: () => setOpen(true),
      close: () => setOpen(false),
      quickExit: () => quickExit(false),
    }),
  });
}

const script = document.currentScript;
if (script instanceof HTMLScriptElement && !('StilleLijn' in window)) {
  if (document.body) install(script);
  else addEventListener('DOMContentLoaded', () => install(script), { once: true });
}
