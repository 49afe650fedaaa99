import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, request, type Server } from 'node:http';
import { connect, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { readBeacon } from '../browser/widget-support.ts';

/** The probe (probe.js), served by the helpline proxy at this path. */
export const PROBE_PATH = '/__sl-probe.js';
/** Where the probes send their events (navigator.sendBeacon). */
const REPORT_PATH = '/__sl-report';
const scriptHeaders = {
  'content-type': 'text/javascript; charset=utf-8',
  'cache-control': 'no-store',
  'cross-origin-resource-policy': 'cross-origin',
};

/** One event as a probe saw it, right after the page's own handlers had run. */
export interface ProbeEvent {
  type: string;
  key: string;
  /** The document's computed display then: `none` means blank. */
  display: string;
  href: string;
}
/** A probe's report, with the page it came from: the host page (`top`) or the chat frame. */
export interface ProbeReport extends ProbeEvent {
  where: 'top' | 'chat';
}
const probeSource = readFileSync(new URL('./probe.js', import.meta.url), 'utf8');

const listen = async (server: Server): Promise<number> => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return typeof address === 'object' && address ? address.port : 0;
};

/**
 * An HTTP proxy in front of the test app: the helpline as the browsers see it. It adds the
 * probe to the chat page (classic WebDriver has no init scripts), can hold back the chat
 * app's script (a slow phone's moment before the app runs, in engines that cannot throttle
 * the CPU) and can cut every connection for real, WebSockets too.
 */
export interface HelplineProxy {
  url: string;
  /**
   * What the probes reported: each click, key and message, and whether its page was blank
   * by then; in each page's own order, pages in the order their first report arrived. In a
   * page that made a mark (`__slMark()` in the page), only what came after its last mark.
   */
  reports(): ProbeReport[];
  /** Whether the mark with this id (`__slMark()`'s answer) has arrived. */
  hasMark(id: string): boolean;
  /** How many requests for `path` (query left out) reached the helpline. */
  requests(path: string): number;
  /** Holds back every response to a path matching `pattern` by `ms`. */
  delay(pattern: RegExp | undefined, ms?: number): void;
  /** Of the requests `delay` holds back: how many came in, and how many were let through. */
  heldBack(): { asked: number; released: number };
  /** Destroys every open connection and refuses new ones until `restore()`. */
  cut(): void;
  restore(): void;
  close(): Promise<void>;
}

export async function startHelplineProxy(targetPort: number): Promise<HelplineProxy> {
  let port = 0;
  const open = new Set<Socket>();
  const arrived: (ProbeEvent & { doc: string; seq: number })[] = [];
  const requested = new Map<string, number>();
  const reports = (): ProbeReport[] => {
    const docs = [...new Set(arrived.map((r) => r.doc))];
    const marked = new Map<string, number>();
    for (const r of arrived)
      if (r.type === 'mark') marked.set(r.doc, Math.max(r.seq, marked.get(r.doc) ?? 0));
    return arrived
      .filter((r) => r.seq > (marked.get(r.doc) ?? 0))
      .sort((a, b) => docs.indexOf(a.doc) - docs.indexOf(b.doc) || a.seq - b.seq)
      .map(({ doc: _doc, seq: _seq, ...entry }) => ({
        ...entry,
        where: entry.href.startsWith(`http://127.0.0.1:${port}/`) ? 'chat' : 'top',
      }));
  };
  let refusing = false;
  let slow: { pattern: RegExp; ms: number } | undefined;
  const held = { asked: 0, released: 0 };
  const track = (socket: Socket) => {
    open.add(socket);
    socket.on('close', () => open.delete(socket));
    socket.on('error', () => {});
  };

  const server = createServer(async (req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    requested.set(path, (requested.get(path) ?? 0) + 1);
    if (path === PROBE_PATH) {
      res.writeHead(200, scriptHeaders);
      res.end(probeSource);
      return;
    }
    if (path === REPORT_PATH && req.method === 'POST') {
      const report = (await readBeacon(req)) as (ProbeEvent & { doc: string; seq: number }) | undefined;
      if (typeof report?.doc === 'string' && typeof report.seq === 'number') arrived.push(report);
      // The host page's beacon is cross-origin: the browser sends it without asking (a
      // text/plain body), and wants no answer it can read.
      res.writeHead(204).end();
      return;
    }
    if (slow?.pattern.test(path)) {
      held.asked++;
      await sleep(slow.ms);
      held.released++;
    }
    const headers = { ...req.headers };
    // Plain bodies, so that the chat page can be read and changed.
    delete headers['accept-encoding'];
    const upstream = request(
      { host: '127.0.0.1', port: targetPort, method: req.method, path: req.url, headers },
      (answer: IncomingMessage) => {
        const isChatPage = path === '/chat' && /text\/html/.test(String(answer.headers['content-type']));
        if (!isChatPage) {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
          return;
        }
        const chunks: Buffer[] = [];
        answer.on('data', (chunk: Buffer) => chunks.push(chunk));
        answer.on('end', () => {
          const html = Buffer.concat(chunks)
            .toString('utf8')
            .replace('<head>', `<head>\n<script src="${PROBE_PATH}"></script>`);
          const out = { ...answer.headers };
          delete out['content-length'];
          res.writeHead(answer.statusCode ?? 502, out);
          res.end(html);
        });
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  server.on('connection', (socket: Socket) => {
    if (refusing) socket.destroy();
    else track(socket);
  });
  server.on('upgrade', (req: IncomingMessage, client: Socket, head: Buffer) => {
    if (refusing) {
      client.destroy();
      return;
    }
    const upstream = connect(targetPort, '127.0.0.1');
    track(upstream);
    const lines = [`${req.method} ${req.url} HTTP/1.1`];
    for (let i = 0; i + 1 < req.rawHeaders.length; i += 2)
      lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
    upstream.write(`${lines.join('\r\n')}\r\n\r\n`);
    if (head.length > 0) upstream.write(head);
    client.pipe(upstream);
    upstream.pipe(client);
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('close', end);
    upstream.on('close', end);
  });
  port = await listen(server);
  return {
    url: `http://127.0.0.1:${port}`,
    reports,
    hasMark: (id) => arrived.some((r) => r.type === 'mark' && `${r.doc} ${r.seq}` === id),
    requests: (path) => requested.get(path) ?? 0,
    delay: (pattern, ms = 0) => {
      slow = pattern ? { pattern, ms } : undefined;
    },
    heldBack: () => ({ ...held }),
    cut: () => {
      refusing = true;
      for (const socket of open) socket.destroy();
    },
    restore: () => {
      refusing = false;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of open) socket.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * The lines of the README's embed guide ("Embedding the widget"), for a helpline at
 * `helpline`: the loader's script, the chat's frame, and the loader's read of its line
 * (`data-line`, GET /api/lines/:id). The test host page's whole CSP is these plus
 * `default-src 'none'` and its own CSS.
 */
export const embedCspLines = (helpline: string) => [
  `script-src ${helpline}`,
  `frame-src ${helpline}`,
  `connect-src ${helpline}`,
];

/** A host page's CSS that styles every `button` and `iframe` (and what they inherit) heavily. */
const HOSTILE_CSS = `
html, body { font: 700 40px/4 serif; letter-spacing: 0.5em; color: #ff0; direction: rtl; text-transform: uppercase; visibility: visible; }
button, iframe { all: unset; display: none !important; width: 1px !important; height: 1px !important; opacity: 0 !important; pointer-events: none !important; position: absolute !important; left: -9999px !important; }
button { font-size: 1px !important; color: transparent !important; background: #ff0 !important; border: 9px dotted red !important; }
iframe { visibility: hidden !important; transform: scale(0) !important; }
* { box-sizing: content-box !important; }
`;

/**
 * A plain host site on another origin (`http://localhost:<port>`, a different site from
 * the helpline's 127.0.0.1) whose pages carry exactly the README's CSP: `default-src
 * 'none'` plus the embed guide's lines (and `style-src 'self'` for its own CSS).
 * - `/` and `/elders`: the page with the widget (`?lang=ar` sets `data-lang`, `?line=`
 *   `data-line`);
 * - `?styled=1`: with CSS that styles every button and iframe heavily;
 * - `?blockframe=1`: a CSP whose `frame-src` leaves the helpline out;
 * - `?noconnect=1`: a CSP without the guide's `connect-src` line;
 * - `/weer`: the neutral quick-exit target, held back by `exitDelay` ms, so that a test
 *   can look at the page that is being left.
 */
export interface EngineHost {
  origin: string;
  pageUrl(path?: string, query?: Record<string, string>): string;
  weatherUrl: string;
  /** How long `/weer` takes to answer. */
  exitDelay: number;
  close(): Promise<void>;
}

export async function startEngineHost(helpline: () => string): Promise<EngineHost> {
  const state = { exitDelay: 0 };
  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const h = helpline();
    const lines = embedCspLines(h)
      .map((line) =>
        line.startsWith('frame-src') && url.searchParams.has('blockframe') ? "frame-src 'self'" : line,
      )
      .filter((line) => !(line.startsWith('connect-src') && url.searchParams.has('noconnect')));
    const csp = [
      "default-src 'none'",
      ...lines,
      "style-src 'self'",
      "base-uri 'none'",
      "form-action 'none'",
    ].join('; ');
    const html = { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': csp };
    if (url.pathname === '/weer') {
      await sleep(state.exitDelay);
      res.writeHead(200, html);
      res.end(
        '<!doctype html><html lang="nl"><title>Weerbericht</title><h1>Het weer vandaag</h1><p>Zonnig.</p>',
      );
      return;
    }
    if (url.pathname === '/hostile.css') {
      res.writeHead(200, { 'content-type': 'text/css; charset=utf-8' });
      res.end(HOSTILE_CSS);
      return;
    }
    if (url.pathname !== '/' && url.pathname !== '/elders') {
      res.writeHead(404).end();
      return;
    }
    const lang = url.searchParams.get('lang');
    const line = url.searchParams.get('line');
    const attrs =
      (lang && /^[a-z]{2}$/.test(lang) ? ` data-lang="${lang}"` : '') +
      (line && /^[a-z0-9-]{1,40}$/.test(line) ? ` data-line="${line}"` : '');
    const styles = url.searchParams.has('styled') ? '<link rel="stylesheet" href="/hostile.css">' : '';
    res.writeHead(200, html);
    res.end(
      `<!doctype html><html lang="nl"><head><meta charset="utf-8">` +
        `<meta name="viewport" content="width=device-width, initial-scale=1"><title>Gastsite ${url.pathname}</title>` +
        `<script src="${h}${PROBE_PATH}"></script>${styles}</head>` +
        `<body><main><h1>Gastsite</h1><p><a id="elders" href="/elders">Ander bericht</a></p>` +
        `<label>Zoeken <input id="zoek" type="search"></label>` +
        `<button type="button" id="eigen">Eigen knop</button></main>` +
        `<script src="${h}/widget.js" async${attrs}></script></body></html>`,
    );
  });
  const port = await listen(server);
  const origin = `http://localhost:${port}`;
  return {
    origin,
    pageUrl: (path = '/', query = {}) => {
      const search = new URLSearchParams(query).toString();
      return `${origin}${path}${search ? `?${search}` : ''}`;
    },
    weatherUrl: `${origin}/weer`,
    get exitDelay() {
      return state.exitDelay;
    },
    set exitDelay(ms: number) {
      state.exitDelay = ms;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
