import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import type { OperatorRole } from '@stille-lijn/shared';
import { type Browser, chromium, type Page } from 'playwright-core';
import type { TestApp } from './app.ts';

const root = join(import.meta.dirname, '..', '..');

/** The console is served from its build; build it once if a fresh clone has none yet. */
export function ensureConsoleBuilt(): void {
  if (existsSync(join(root, 'operator-console', 'dist', 'index.html'))) return;
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
