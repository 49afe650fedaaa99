import { randomUUID } from 'node:crypto';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { SESSION_SOCKETS_MAX } from '../../server/src/sockets/session-sockets.ts';
import { signInConsole } from '../support/browser.ts';
import { useConsole } from './console-harness.ts';

describe('console: one session in many tabs', () => {
  const ui = useConsole();

  it('a tab past SESSION_SOCKETS_MAX says why it is not connected, and connects once another closes', async () => {
    const username = `op${randomUUID().slice(0, 8)}`;
    const password = `pw-${randomUUID()}`;
    await ui.t.app.operators.create({ username, password, displayName: 'Anna' });
    const context = await ui.newContext();
    const ready = (page: Page) => page.locator('[data-sl="status-toggle"]:not([disabled])').waitFor();

    const tabs: Page[] = [await context.newPage()];
    await signInConsole(tabs[0]!, ui.t.url, { username, password });
    await ready(tabs[0]!);
    // The same browser: every tab shares the cookie, so the session.
    for (let i = 1; i < SESSION_SOCKETS_MAX; i++) {
      const tab = await context.newPage();
      await tab.goto(`${ui.t.url}/console/`);
      await ready(tab);
      tabs.push(tab);
    }

    const extra = await context.newPage();
    await extra.goto(`${ui.t.url}/console/`);
    const banner = extra.locator('[data-sl="connection"][data-connection="too-many"]');
    await banner.waitFor();
    expect(await banner.textContent()).toContain('te veel tabbladen');
    expect(await extra.locator('[data-sl="login-username"]').count()).toBe(0);

    await tabs[0]!.close();
    // The console retries a refusal every 3 s: the freed place is taken by itself.
    await ready(extra);
    expect(await extra.locator('[data-sl="connection"]').count()).toBe(0);
  });
});
