import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import { createRequire } from 'node:module';
import { connect, createServer as createTcpServer, type Socket as TcpSocket } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, type BrowserContext, chromium, type Frame, type Page } from 'playwright-core';
import { expect } from 'vitest';
import type { TestApp } from '../support/app.ts';
import {
  connectOperator,
  createOperator,
  emitAck,
  nextEvent,
  type OperatorSocket,
} from '../support/clients.ts';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const widget = join(repo, 'widget');

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * Headless Debian Chromium. `bfcache: true` keeps the back/forward cache on (Playwright
 * turns it off by default), so that Back really restores pages from it.
 */
export function launchChromium(opts: { bfcache?: boolean } = {}): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
    ...(opts.bfcache ? { ignoreDefaultArgs: ['--disable-back-forward-cache'] } : {}),
  });
}

function newestMtime(path: string): number {
  const s = statSync(path);
  if (!s.isDirectory()) return s.mtimeMs;
  return Math.max(0, ...readdirSync(path).map((name) => newestMtime(join(path, name))));
}

/** Builds the widget (loader and chat app) unless widget/dist is newer than every source. */
export function ensureWidgetBuilt(): void {
  const sources = Math.max(
    newestMtime(join(widget, 'src')),
    newestMtime(join(widget, 'vite.config.ts')),
    newestMtime(join(repo, 'shared', 'src', 'protocol', 'embed.ts')),
    newestMtime(join(repo, 'shared', 'src', 'protocol', 'embed-schema.ts')),
  );
  let built = 0;
  try {
    built = Math.min(
      statSync(join(widget, 'dist', 'widget.js')).mtimeMs,
      statSync(join(widget, 'dist', 'chat', '.vite', 'manifest.json')).mtimeMs,
    );
  } catch {
    built = 0;
  }
  if (built > sources) return;
  const vite = join(
    dirname(createRequire(join(widget, 'package.json')).resolve('vite/package.json')),
    'bin',
    'vite.js',
  );
  const res = spawnSync(process.execPath, [vite, 'build'], {
    cwd: widget,
    encoding: 'utf8',
    env: { ...process.env, NODE_ENV: 'production' },
  });
  if (res.status !== 0) throw new Error(`widget build failed:\n${res.stdout}\n${res.stderr}`);
}

/**
 * An operator account signed in over a real socket. With `available`, routing assigns a
 * waiting conversation to it at once.
 */
export async function signInOperator(
  t: TestApp,
  opts: { displayName: string; languages?: ('nl' | 'en' | 'ar' | 'tr' | 'pl')[]; available?: boolean },
): Promise<OperatorSocket> {
  const account = await createOperator(t, {
    displayName: opts.displayName,
    ...(opts.languages ? { languages: opts.languages } : {}),
  });
  const operator = await connectOperator(t.url, account.cookie);
  if (opts.available) await makeAvailable(operator);
  return operator;
}

export async function makeAvailable(operator: OperatorSocket): Promise<void> {
  const ack = await emitAck<{ ok: boolean }>(operator, 'operator:status', { status: 'available' });
  expect(ack.ok).toBe(true);
}

/** The id of the next conversation assigned to `operator` (routing may take a moment on a busy machine). */
export async function nextAssignment(operator: OperatorSocket): Promise<string> {
  const { conversation } = await nextEvent<{ conversation: { conversationId: string } }>(
    operator,
    'chat:assigned',
    {
      ms: 15_000,
    },
  );
  return conversation.conversationId;
}

/** The chat app's frame inside a host page (once the launcher opened it). */
export async function chatFrame(page: Page, helplineUrl: string): Promise<Frame> {
  await page.locator('[data-sl=launcher]').waitFor();
  let frame: Frame | undefined;
  await expect
    .poll(() => {
      frame = page.frames().find((f) => f.url().startsWith(`${helplineUrl}/chat`));
      return frame !== undefined;
    })
    .toBe(true);
  await frame!.locator('[data-sl=start]').waitFor();
  return frame!;
}

/**
 * The JSON a test's probe sent with navigator.sendBeacon (`POST`), or undefined when the
 * body is not JSON (not a probe's record). Shared by the host sites and lines that take beacons.
 */
export async function readBeacon(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * A plain host site on another origin (`http://localhost:<port>`, a different site from
 * the helpline's 127.0.0.1), with a strict CSP of its own: no inline anything, scripts and
 * frames only from itself and the helpline. `/weer` is the neutral quick-exit target.
 */
export interface HostSite {
  origin: string;
  /** The page that embeds the widget; `attrs` become data- attributes on the script tag. */
  pageUrl(path?: string, attrs?: Record<string, string>): string;
  weatherUrl: string;
  /**
   * What the host page's test probes sent to `/__beacon` with navigator.sendBeacon, in order
   * of arrival. A beacon leaves with the page's task and is delivered even when the page
   * navigates away at once, as quick exit makes it (the host pages allow connect-src 'self').
   */
  beacons(): unknown[];
  clearBeacons(): void;
  setHelpline(url: string): void;
  close(): Promise<void>;
}

export async function startHostSite(): Promise<HostSite> {
  let helpline = '';
  const beacons: unknown[] = [];
  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    // The loader reads the line it embeds (connect-src); `/no-connect/…` is a host page whose
    // CSP forbids it. 'self' lets a test's probe send its beacons (see `beacons`).
    const connect = url.pathname.startsWith('/no-connect') ? "'self'" : `'self' ${helpline}`;
    const csp = `default-src 'none'; script-src ${helpline}; frame-src ${helpline}; connect-src ${connect}; style-src 'self'; base-uri 'none'; form-action 'none'`;
    if (url.pathname === '/__beacon' && req.method === 'POST') {
      // What a test's probe in the page sent with navigator.sendBeacon (see `beacons`).
      const record = await readBeacon(req);
      if (record !== undefined) beacons.push(record);
      res.writeHead(204).end();
      return;
    }
    if (url.pathname === '/weer') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': csp });
      res.end(
        '<!doctype html><html lang="nl"><title>Weerbericht</title><h1>Het weer vandaag</h1><p>Zonnig.</p>',
      );
      return;
    }
    if (url.pathname === '/frame') {
      // Embeds the chat directly, as a page that is not the loader would.
      const claimed = encodeURIComponent(url.searchParams.get('host') ?? '');
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': csp });
      res.end(
        `<!doctype html><title>Frame</title><iframe title="chat" src="${helpline}/chat?embed=1&amp;host=${claimed}"></iframe>`,
      );
      return;
    }
    if (url.pathname === '/favicon.ico') {
      res.writeHead(404).end();
      return;
    }
    const attrs = [...url.searchParams]
      .filter(([key]) => /^[a-z]+$/.test(key))
      .map(([key, value]) => ` data-${key}="${value.replace(/[^A-Za-z0-9 -]/g, '')}"`)
      .join('');
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': csp });
    res.end(
      `<!doctype html><html lang="nl"><head><meta charset="utf-8"><title>Gastsite ${url.pathname}</title></head>` +
        `<body><main><h1>Gastsite</h1><p><a id="elders" href="/elders">Ander bericht</a></p>` +
        `<label>Zoeken <input id="zoek" type="search"></label></main>` +
        `<script src="${helpline}/widget.js" async${attrs}></script></body></html>`,
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const origin = `http://localhost:${port}`;
  return {
    origin,
    pageUrl: (path = '/', attrs = {}) => `${origin}${path}?${new URLSearchParams(attrs)}`,
    weatherUrl: `${origin}/weer`,
    beacons: () => [...beacons],
    clearBeacons: () => {
      beacons.length = 0;
    },
    setHelpline: (url) => {
      helpline = url;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * A slow line to the app for some files only: an HTTP proxy that passes everything through
 * (WebSocket upgrades too, Host header kept) and holds back the responses to paths that
 * match `slow` by `delayMs` (forever when it is `Infinity`). It delays a file without Playwright's `route()`, whose request
 * interception also puts the page's DevTools session on hold while a top-level navigation
 * is pending (then no `evaluate` answers until the new page arrives).
 *
 * Like the host site, it answers `POST /__beacon` itself and keeps what a test's probe sent
 * (`beacons()`): the helpline's pages allow connect-src 'self', which is this line.
 */
export async function startSlowLine(
  targetUrl: string,
  slow: RegExp,
  delayMs: number,
): Promise<{ url: string; beacons(): unknown[]; close(): Promise<void> }> {
  const target = new URL(targetUrl);
  const sockets = new Set<TcpSocket>();
  const beacons: unknown[] = [];
  const server = createServer(async (req, res) => {
    if (req.url === '/__beacon' && req.method === 'POST') {
      const record = await readBeacon(req);
      if (record !== undefined) beacons.push(record);
      res.writeHead(204).end();
      return;
    }
    const forward = () => {
      const upstream = httpRequest(
        {
          host: target.hostname,
          port: target.port,
          method: req.method,
          path: req.url,
          headers: req.headers,
        },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      upstream.on('error', () => res.destroy());
      req.pipe(upstream);
    };
    if (!slow.test(new URL(req.url ?? '/', target).pathname)) forward();
    else if (Number.isFinite(delayMs)) setTimeout(forward, delayMs);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('upgrade', (req, client, head) => {
    const upstream = connect(Number(target.port), target.hostname, () => {
      const lines = [`${req.method} ${req.url} HTTP/${req.httpVersion}`];
      for (let i = 0; i < req.rawHeaders.length; i += 2)
        lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
      upstream.write(`${lines.join('\r\n')}\r\n\r\n`);
      if (head.length > 0) upstream.write(head);
      client.pipe(upstream);
      upstream.pipe(client);
    });
    for (const s of [client, upstream]) {
      s.on('error', () => {});
      s.on('close', () => {
        client.destroy();
        upstream.destroy();
      });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    beacons: () => [...beacons],
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A TCP proxy in front of the app whose connections can be cut for real. */
export interface CuttableProxy {
  url: string;
  /** Destroys every open connection and refuses new ones until `restore()`. */
  cut(): void;
  restore(): void;
  close(): Promise<void>;
}

export async function startProxy(targetPort: number): Promise<CuttableProxy> {
  const open = new Set<TcpSocket>();
  let refusing = false;
  const server = createTcpServer((client) => {
    if (refusing) {
      client.destroy();
      return;
    }
    const upstream = connect(targetPort, '127.0.0.1');
    for (const s of [client, upstream]) {
      open.add(s);
      s.on('error', () => {});
      s.on('close', () => {
        open.delete(s);
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    cut: () => {
      refusing = true;
      for (const s of open) s.destroy();
    },
    restore: () => {
      refusing = false;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of open) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/**
 * Watches every frame of a context for calls that could leave a trace or make a noise
 * (storage, cookies, IndexedDB, Cache Storage, service workers, notifications, sound,
 * vibration, history entries); merely reading a storage area counts too. Returns the list
 * of calls seen, filled as they happen. Check it before calling `storedState`, which reads.
 */
export async function watchTraceApis(context: BrowserContext): Promise<string[]> {
  const calls: string[] = [];
  await context.exposeBinding('__slTraceCall', ({ frame }, name: string) => {
    calls.push(`${name} in ${frame.url()}`);
  });
  await context.addInitScript(() => {
    const report = (name: string) =>
      (window as unknown as { __slTraceCall(n: string): void }).__slTraceCall(name);
    const wrap = (proto: object | undefined, name: string, label: string) => {
      if (!proto) return;
      const original = Reflect.get(proto, name) as ((...a: unknown[]) => unknown) | undefined;
      if (typeof original !== 'function') return;
      Reflect.set(proto, name, function (this: unknown, ...args: unknown[]) {
        report(label);
        return original.apply(this, args);
      });
    };
    wrap(Storage.prototype, 'setItem', 'Storage.setItem');
    wrap(IDBFactory.prototype, 'open', 'indexedDB.open');
    wrap(globalThis.CacheStorage?.prototype, 'open', 'caches.open');
    wrap(globalThis.ServiceWorkerContainer?.prototype, 'register', 'serviceWorker.register');
    wrap(History.prototype, 'pushState', 'history.pushState');
    wrap(History.prototype, 'replaceState', 'history.replaceState');
    wrap(HTMLMediaElement.prototype, 'play', 'media.play');
    wrap(Navigator.prototype, 'vibrate', 'navigator.vibrate');
    wrap(globalThis.Notification, 'requestPermission', 'Notification.requestPermission');
    // Merely reaching for a storage area counts: the widget has no reason to.
    for (const name of ['localStorage', 'sessionStorage', 'indexedDB', 'caches']) {
      const own =
        Object.getOwnPropertyDescriptor(window, name) ??
        Object.getOwnPropertyDescriptor(Window.prototype, name);
      const read = own?.get;
      if (!read) continue;
      Object.defineProperty(window, name, {
        configurable: true,
        get() {
          report(name);
          return read.call(window);
        },
      });
    }
    const worker = Object.getOwnPropertyDescriptor(Navigator.prototype, 'serviceWorker')?.get;
    if (worker) {
      Object.defineProperty(Navigator.prototype, 'serviceWorker', {
        configurable: true,
        get(this: Navigator) {
          report('navigator.serviceWorker');
          return worker.call(this);
        },
      });
    }
    const cookie = Object.getOwnPropertyDescriptor(Document.prototype, 'cookie');
    if (cookie?.set && cookie.get) {
      const { get, set } = cookie;
      Object.defineProperty(Document.prototype, 'cookie', {
        configurable: true,
        get(this: Document) {
          report('document.cookie');
          return get.call(this);
        },
        set(this: Document, value: string) {
          report('document.cookie=');
          set.call(this, value);
        },
      });
    }
  });
  return calls;
}

/** What a frame's origin keeps on the device: must all be empty. */
export interface StoredState {
  cookie: string;
  localStorage: number;
  sessionStorage: number;
  indexedDB: number;
  caches: number;
  serviceWorkers: number;
}

/** Reads what `frame`'s origin has stored; storage the browser denies this frame counts as empty. */
export function storedState(frame: Frame | Page): Promise<StoredState> {
  return frame.evaluate(async () => {
    const denied = async <T>(read: () => T | Promise<T>, empty: T): Promise<T> => {
      try {
        return await read();
      } catch (err) {
        const deniedByBrowser =
          err instanceof DOMException && (err.name === 'SecurityError' || /denied/i.test(err.message));
        if (deniedByBrowser) return empty;
        throw err;
      }
    };
    return {
      cookie: await denied(() => document.cookie, ''),
      localStorage: await denied(() => localStorage.length, 0),
      sessionStorage: await denied(() => sessionStorage.length, 0),
      indexedDB: await denied(async () => (await indexedDB.databases()).length, 0),
      caches: await denied(async () => (await caches.keys()).length, 0),
      serviceWorkers: await denied(async () => (await navigator.serviceWorker.getRegistrations()).length, 0),
    };
  });
}

export const EMPTY_STATE: StoredState = {
  cookie: '',
  localStorage: 0,
  sessionStorage: 0,
  indexedDB: 0,
  caches: 0,
  serviceWorkers: 0,
};

/** Console messages that are CSP violations. */
export function watchCspViolations(page: Page): string[] {
  const seen: string[] = [];
  page.on('console', (message) => {
    if (/Content Security Policy|Refused to/i.test(message.text())) seen.push(message.text());
  });
  return seen;
}
