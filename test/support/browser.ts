import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import type { OperatorRole } from '@stille-lijn/shared';
import {
  type Browser,
  type BrowserContext,
  type BrowserContextOptions,
  chromium,
  type Page,
} from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { startTestApp, type TestApp } from './app.ts';
import { writeLinesFile } from './lines-file.ts';

const root = join(import.meta.dirname, '..', '..');

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const s = statSync(path);
  if (!s.isDirectory()) return s.mtimeMs;
  return Math.max(0, ...readdirSync(path).map((name) => newestMtime(join(path, name))));
}

/**
 * The console is served from its build: build it when there is none (a fresh clone) or
 * when a source is newer than it, so that a test never runs against yesterday's console.
 */
export function ensureConsoleBuilt(): void {
  const index = join(root, 'operator-console', 'dist', 'index.html');
  const sources = Math.max(
    newestMtime(join(root, 'operator-console', 'src')),
    newestMtime(join(root, 'operator-console', 'index.html')),
    newestMtime(join(root, 'shared', 'src')),
  );
  if (existsSync(index) && statSync(index).mtimeMs > sources) return;
  execFileSync('npm', ['run', 'build', '-w', '@stille-lijn/operator-console'], {
    cwd: root,
    stdio: 'ignore',
  });
}

/** Debian's Chromium, headless, with the flags this machine needs (no background networking). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** axe-core's violations on the page, one line each (empty when there are none). */
export async function axeViolations(page: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page }).analyze();
  return result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

/** An operator account made for a console test, with the password to type in. */
export interface ConsoleAccount {
  id: string;
  username: string;
  password: string;
  displayName: string;
}

/** Creates an account straight in the store (no login yet), with a random username and password. */
export async function createConsoleAccount(
  t: TestApp,
  opts: { role?: OperatorRole; displayName?: string } = {},
): Promise<ConsoleAccount> {
  const username = `op${randomUUID().slice(0, 8)}`;
  const password = `pw-${randomUUID()}`;
  const displayName = opts.displayName ?? 'Anna de Vries';
  const account = await t.app.operators.create({
    username,
    password,
    role: opts.role ?? 'operator',
    displayName,
  });
  return { id: account.id, username, password, displayName };
}

/** Signs in on the console at `baseUrl` and waits until the workspace is ready to use. */
export async function signInConsole(
  page: Page,
  baseUrl: string,
  account: { username: string; password: string },
): Promise<void> {
  await page.goto(`${baseUrl}/console/`);
  await page.locator('[data-sl="login-username"]').fill(account.username);
  await page.locator('[data-sl="login-password"]').fill(account.password);
  await page.locator('[data-sl="login-submit"]').click();
  await page.locator('[data-sl="status-toggle"]:not([disabled])').waitFor();
}

/** What a console test on a deployment with lines works with; a fresh app for every test. */
export interface ConsoleWithLines {
  /** This test's server, started with the lines. */
  readonly t: TestApp;
  /** A page in a context of its own (closed after the test). */
  newPage(): Promise<Page>;
}

/**
 * Registers the hooks of a console test on a deployment with `lines` (`LINES_FILE`): one
 * Chromium for the file (and the console built), a fresh app for each test, and the pages'
 * contexts closed after it.
 */
export function useConsoleWithLines(
  lines: unknown,
  contextOptions: BrowserContextOptions = {},
): ConsoleWithLines {
  let browser: Browser | undefined;
  let linesFile = '';
  let t: TestApp | undefined;
  const contexts: BrowserContext[] = [];
  beforeAll(async () => {
    ensureConsoleBuilt();
    browser = await launchChromium();
    linesFile = writeLinesFile(lines);
  });
  afterAll(async () => {
    await browser?.close();
  });
  beforeEach(async () => {
    t = await startTestApp({ LINES_FILE: linesFile });
  });
  afterEach(async () => {
    for (const c of contexts.splice(0)) await c.close();
    await t?.close();
    t = undefined;
  });
  return {
    get t() {
      if (!t) throw new Error('the app runs only inside a test');
      return t;
    },
    async newPage() {
      if (!browser) throw new Error('the browser runs only inside a test');
      const context = await browser.newContext({
        viewport: { width: 1400, height: 1000 },
        ...contextOptions,
      });
      contexts.push(context);
      return context.newPage();
    },
  };
}
