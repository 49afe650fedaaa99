import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { type Browser, chromium, type Page } from 'playwright-core';

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
