import { createHash } from 'node:crypto';
import type { FastifyRequest } from 'fastify';

/** A CSP that allows nothing, with the given directives opened up. */
export function contentSecurityPolicy(open: Record<string, string>): string {
  const directives: Record<string, string> = {
    'default-src': "'none'",
    'base-uri': "'none'",
    'form-action': "'none'",
    'frame-ancestors': "'none'",
    'object-src': "'none'",
    ...open,
  };
  return Object.entries(directives)
    .map(([name, value]) => `${name} ${value}`)
    .join('; ');
}

/** This request's own origin (scheme, host, port), or undefined for a Host header that is not one. */
export function requestOrigin(req: FastifyRequest): string | undefined {
  const host = req.host;
  if (!/^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/.test(host)) return undefined;
  return `${req.protocol}://${host}`;
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** JSON that is safe inside a `<script type="application/json">` data block. */
const jsonForHtml = (value: unknown) =>
  JSON.stringify(value).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026');

/** The text direction of a language, from the platform's own locale data. */
export function textDirection(lang: string): 'ltr' | 'rtl' {
  const locale = new Intl.Locale(lang) as Intl.Locale & {
    getTextInfo?: () => { direction?: string };
    textInfo?: { direction?: string };
  };
  return (locale.getTextInfo?.() ?? locale.textInfo)?.direction === 'rtl' ? 'rtl' : 'ltr';
}

export interface ChatPageOptions {
  lang: string;
  /** The app's module script. */
  entry: string;
  styles: string[];
  /** Static chunks the entry imports. */
  preloads: string[];
  /** Read by widget/src/app/config.ts. */
  config: Record<string, unknown>;
  /** The first script (widget/src/early), inlined; the CSP allows it by `inlineScriptHash`. */
  earlyScript?: string | undefined;
}

/** Inline script text made safe to sit in a `<script>` element (no `</script`). */
export const inlineScript = (code: string) => code.replace(/<\/(script)/gi, '<\\/$1');

/** The CSP source that allows exactly this inline script text. */
export const inlineScriptHash = (text: string) =>
  `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

/**
 * The chat app's page: neutral title and favicon, `lang`/`dir` right from the first
 * byte. Its one inline script is the early quick-exit watcher, allowed by its hash; the
 * configuration is a JSON data block, which never runs.
 */
export function chatPage(o: ChatPageOptions): string {
  const link = (rel: string, href: string) => `<link rel="${rel}" href="${escapeHtml(href)}">`;
  return [
    '<!doctype html>',
    `<html lang="${escapeHtml(o.lang)}" dir="${textDirection(o.lang)}">`,
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="referrer" content="no-referrer">',
    '<meta name="robots" content="noindex, nofollow">',
    '<title>Chat</title>',
    link('icon', '/chat/favicon.svg'),
    ...o.styles.map((href) => link('stylesheet', href)),
    ...o.preloads.map((href) => link('modulepreload', href)),
    `<script type="application/json" id="sl-config">${jsonForHtml(o.config)}</script>`,
    ...(o.earlyScript ? [`<script>${o.earlyScript}</script>`] : []),
    `<script type="module" src="${escapeHtml(o.entry)}"></script>`,
    '</head>',
    '<body>',
    '<div id="app"></div>',
    '<noscript><p>Deze chat werkt alleen met JavaScript. Bel Veilig Thuis: 0800-2000 (gratis, dag en nacht). In acuut gevaar: 112.</p></noscript>',
    '</body>',
    '</html>',
  ].join('\n');
}

const simplePage = (title: string, body: string) =>
  `<!doctype html>\n<html lang="nl">\n<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(title)}</title></head>\n<body><main><h1>${escapeHtml(title)}</h1><p>${escapeHtml(body)}</p></main></body>\n</html>`;

/** Shown while the widget has not been built. */
export const notBuiltPage = (what: string) =>
  simplePage(`${what} is nog niet gebouwd`, 'Voer eerst npm run build uit en laad de pagina opnieuw.');

/** Shown at /console/ while operator-console/dist does not exist. */
export const consolePlaceholder = () =>
  simplePage('De console is nog niet gebouwd', 'Voer eerst npm run build uit en laad de pagina opnieuw.');

/** `/chat?line=` for a line this deployment does not have: no chat, and the numbers that always work. */
export const unknownLinePage = () =>
  simplePage(
    'Deze chat bestaat niet',
    'Bel Veilig Thuis: 0800-2000 (gratis, dag en nacht). In acuut gevaar: bel 112.',
  );
