/**
 * The widget's weight and speed: bundle sizes (raw and gzip) and the time to an
 * interactive start screen in Chromium on a throttled phone-like setup (CPU 4× slower,
 * slow 3G: 400 ms latency, 400 kbit/s each way), median of several runs.
 *
 * Serves only the static routes (no Redis needed): the start screen opens no socket.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import Fastify from 'fastify';
import fp from 'fastify-plugin';
import { chromium, type Page } from 'playwright-core';
import { loadConfig } from '../../server/src/config.ts';
import linesPlugin from '../../server/src/lines/plugin.ts';
import staticPlugin from '../../server/src/static/plugin.ts';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const widget = join(repo, 'widget');

/** The budgets from the issue. */
const LOADER_BUDGET_GZIP = 4 * 1024;
const APP_BUDGET_GZIP = 45 * 1024;
/** @default 7 */
const RUNS = 7;
const CPU_SLOWDOWN = 4;
const SLOW_3G = {
  offline: false,
  latency: 400,
  downloadThroughput: (400 * 1000) / 8,
  uploadThroughput: (400 * 1000) / 8,
};

function buildWidget(): void {
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

interface Size {
  name: string;
  raw: number;
  gzip: number;
}

function sizeOf(name: string, files: string[]): Size {
  const bytes = files.map((f) => readFileSync(f));
  return {
    name,
    raw: bytes.reduce((n, b) => n + b.length, 0),
    gzip: bytes.reduce((n, b) => n + gzipSync(b, { level: 9 }).length, 0),
  };
}

function bundleSizes(): Size[] {
  const chat = join(widget, 'dist', 'chat');
  const manifest = JSON.parse(readFileSync(join(chat, '.vite', 'manifest.json'), 'utf8')) as Record<
    string,
    { file: string; css?: string[]; imports?: string[] }
  >;
  const entry = manifest['src/app/main.tsx']!;
  const js = [entry.file, ...(entry.imports ?? []).map((key) => manifest[key]!.file)];
  return [
    sizeOf('loader (widget.js)', [join(widget, 'dist', 'widget.js')]),
    sizeOf(
      'chat app, initial JS',
      js.map((f) => join(chat, f)),
    ),
    sizeOf(
      'chat app, later JS',
      Object.values(manifest)
        .map((chunk) => chunk.file)
        .filter((file) => file.endsWith('.js') && !js.includes(file))
        .map((f) => join(chat, f)),
    ),
    sizeOf(
      'chat app, CSS',
      (entry.css ?? []).map((f) => join(chat, f)),
    ),
  ];
}

const kb = (n: number) => `${(n / 1024).toFixed(2)} KB`;
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

/** Reads the mark the init script sets, polling from here (the page itself is throttled). */
async function interactiveAt(page: Page): Promise<number> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const at = await page
      .evaluate(() => (window as unknown as { __slInteractive?: number }).__slInteractive)
      .catch(() => undefined);
    if (typeof at === 'number') return at;
    await sleep(100);
  }
  throw new Error('the start screen did not become interactive within 60 s');
}

/** Milliseconds from navigation start until the start screen's Start button exists (rendered, wired). */
async function timeToInteractiveStart(url: string, runs: number): Promise<number[]> {
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  const times: number[] = [];
  try {
    for (let i = 0; i < runs; i++) {
      const context = await browser.newContext();
      const page = await context.newPage();
      const cdp = await context.newCDPSession(page);
      await cdp.send('Network.enable');
      await cdp.send('Network.emulateNetworkConditions', SLOW_3G);
      await cdp.send('Emulation.setCPUThrottlingRate', { rate: CPU_SLOWDOWN });
      // No named functions in here: tsx would wrap them in a helper the page does not have.
      await page.addInitScript(() => {
        new MutationObserver((_records, observer) => {
          if (!document.querySelector('[data-sl=start]')) return;
          (window as unknown as { __slInteractive: number }).__slInteractive = performance.now();
          observer.disconnect();
        }).observe(document, { childList: true, subtree: true });
      });
      await page.goto(url, { waitUntil: 'commit' });
      times.push(await interactiveAt(page));
      await context.close();
    }
  } finally {
    await browser.close();
  }
  return times;
}

export async function benchWidget(): Promise<void> {
  buildWidget();
  console.log('Widget bundles');
  for (const s of bundleSizes()) {
    const budget = s.name.startsWith('loader')
      ? LOADER_BUDGET_GZIP
      : s.name.endsWith('initial JS')
        ? APP_BUDGET_GZIP
        : undefined;
    const verdict =
      budget === undefined
        ? ''
        : s.gzip <= budget
          ? `  (budget ${kb(budget)}: ok)`
          : `  (budget ${kb(budget)}: OVER)`;
    console.log(
      `  ${s.name.padEnd(22)} ${kb(s.raw).padStart(10)} raw ${kb(s.gzip).padStart(10)} gzip${verdict}`,
    );
  }

  const config = loadConfig({ NODE_ENV: 'development', PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent' });
  const app = Fastify({ logger: false });
  app.register(
    fp(
      async (a) => {
        a.decorate('config', config);
      },
      { name: 'config' },
    ),
  );
  await app.register(linesPlugin);
  await app.register(staticPlugin);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  try {
    const times = await timeToInteractiveStart(`http://127.0.0.1:${port}/chat`, RUNS);
    console.log(
      `Time to an interactive start screen (/chat, CPU ${CPU_SLOWDOWN}× slower, slow 3G 400 ms / 400 kbit/s), ${RUNS} runs:`,
    );
    console.log(
      `  median ${median(times).toFixed(0)} ms   min ${Math.min(...times).toFixed(0)} ms   max ${Math.max(...times).toFixed(0)} ms`,
    );
  } finally {
    await app.close();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  benchWidget().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
